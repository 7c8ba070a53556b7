// Reading the files a user names (models, tokenizers, texts, configs) without being hurt by
// them: only regular files are read (a FIFO would block forever, /dev/zero would grow without
// bound, a directory is not "no such file"), and a file larger than its format allows is
// refused before anything is allocated. Every refusal is an InputError
//   "<what> '<path>': <reason>"
// so the command line names the file and exits 2.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace airtp {

// Size limits of the formats airtp reads (bytes). Callers may pass smaller ones.
constexpr uint64_t kMaxConfigBytes = 16ull << 20;     // TOML configs
constexpr uint64_t kMaxTextBytes = 1ull << 30;        // texts to score
constexpr uint64_t kMaxTokenizerBytes = 256ull << 20; // llama2.c tokenizer.bin
constexpr uint64_t kMaxModelBytes = 64ull << 30;      // model files (llama2.c, GGUF)

// Checks that `path` names a readable regular file of at most max_bytes and returns its size.
uint64_t check_input_file(const std::string& path, const std::string& what, uint64_t max_bytes);

// The whole file (after the same checks), read through one descriptor (no check-then-open
// race): InputError when it is not a regular file, too large, or changes size while read.
std::string read_input_file(const std::string& path, const std::string& what, uint64_t max_bytes);
std::vector<uint8_t> read_input_bytes(const std::string& path, const std::string& what, uint64_t max_bytes);

// A read-only memory map of a regular file (for large model files: the pages are shared with
// the page cache and only what is touched is read). Same checks as read_input_file.
class MappedInput {
 public:
  MappedInput(const std::string& path, const std::string& what, uint64_t max_bytes);
  ~MappedInput();
  MappedInput(const MappedInput&) = delete;
  MappedInput& operator=(const MappedInput&) = delete;
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace airtp
