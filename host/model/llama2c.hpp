// Loader for llama2.c checkpoints ("legacy" export: a header of 7 int32 followed by fp32
// tensors). A negative vocab_size in the header means the classifier is stored separately
// after the (unused) RoPE tables; a positive one means it shares the token embedding.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include "kernels/model_weights.hpp"

namespace airtp {

// Reads a checkpoint file. Throws InputError naming the file and the problem when it is
// missing, too short, too long, or its header is inconsistent.
ModelWeights load_llama2c(const std::string& path);

// The configuration in a checkpoint's header, checked against the data size (`size` is the
// whole file's) without reading any tensor; *shared_classifier (when given) receives whether
// the classifier is the token embedding.
ModelConfig llama2c_config(const uint8_t* data, size_t size, const std::string& name, bool* shared_classifier = nullptr);

// Parses a checkpoint held in memory; `name` appears in error messages (the file name).
ModelWeights parse_llama2c(const uint8_t* data, size_t size, const std::string& name);

}  // namespace airtp
