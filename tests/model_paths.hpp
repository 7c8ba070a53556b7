// Paths of the bundled model and texts, for the model tests.
#pragma once
#include <string>
namespace airtp::model_test {
inline std::string data_path(const std::string& rel) { return std::string(AIRTP_SOURCE_DIR) + "/data/" + rel; }
inline std::string model_path() { return data_path("models/stories260K/stories260K.bin"); }
inline std::string tokenizer_path() { return data_path("models/stories260K/tok512.bin"); }
inline std::string smollm2_path() { return data_path("models/smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf"); }
inline std::string tinystories_path() { return data_path("tinystories/tinystories-valid-sample.txt"); }
}  // namespace airtp::model_test
