// One entry point for model files, whatever their format: the format is told by content (a
// GGUF file starts with the magic "GGUF"; anything else is read as a llama2.c checkpoint,
// whose header and size are then checked), never by the file name.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "host/model/gguf.hpp"
#include "kernels/model_weights.hpp"

namespace airtp {

// What a model file declares, without its weights: enough for the latency model and for
// describing a model in result files.
struct ModelFileInfo {
  std::string path;
  std::string format;        // "gguf" or "llama2c"
  std::string architecture;  // "llama" (every llama2.c checkpoint) or "qwen2"
  ModelConfig cfg;
  bool tied_output = false;               // the classifier is the token embedding
  std::vector<std::string> tensor_types;  // GGUF: "name: TYPE" per tensor, in file order; llama2c: empty
  uint64_t file_bytes = 0;
  // "Q4_1 x 210, Q8_0 x 1, F32 x 61" (GGUF; by count, then name) or "F32" (llama2c).
  std::string type_summary() const;
};

struct ModelFile {
  ModelFileInfo info;
  ModelWeights weights;            // fp32, as the transformers take them
  std::optional<GgufVocab> vocab;  // GGUF only: the tokenizer's vocabulary as stored in the file
};

// True when `path` is a regular file that starts with the GGUF magic (nothing else is read;
// errors about the file are left to the loaders).
bool is_gguf_file(const std::string& path);

// Reads and (for GGUF) dequantizes the whole model. InputError naming the file and what is
// wrong for a missing, non-regular, truncated, corrupt or unsupported file.
ModelFile load_model_file(const std::string& path);

// The shape only: header and metadata, checked for consistency with the tensors (GGUF) or
// the file size (llama2.c), without reading or dequantizing any weights.
ModelFileInfo read_model_info(const std::string& path);
inline ModelConfig read_model_config(const std::string& path) { return read_model_info(path).cfg; }

}  // namespace airtp
