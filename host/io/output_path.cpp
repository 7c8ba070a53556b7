#include "host/io/output_path.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "host/common/errors.hpp"

namespace airtp {

namespace fs = std::filesystem;

void check_output_path(const std::string& path, const std::vector<std::string>& inputs, const std::string& flag) {
  auto refuse = [&](const std::string& what) { throw InputError(flag + " '" + path + "': " + what); };
  if (path.empty()) refuse("empty file name");
  if (path.back() == '/') refuse("names a folder (trailing '/'); give a file name such as results/run.h5");
  struct stat st{};
  if (::lstat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) refuse("is a directory; give a file name inside it");
    if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
      refuse("exists and is not a regular file (a device, FIFO or socket); it will not be replaced");
    // The same file as an input (also through another name or a hard link): refuse.
    if (S_ISREG(st.st_mode))
      for (const std::string& in : inputs) {
        struct stat si{};
        if (!in.empty() && ::stat(in.c_str(), &si) == 0 && si.st_dev == st.st_dev && si.st_ino == st.st_ino)
          refuse("is also an input of this run ('" + in + "'); writing the result there would destroy it");
      }
  }
  // Lexically the same as an input (e.g. the output is a symlink to it, or does not exist yet
  // but names the same path).
  std::error_code ec;
  const fs::path out = fs::weakly_canonical(fs::absolute(path, ec), ec);
  for (const std::string& in : inputs) {
    if (in.empty()) continue;
    const fs::path p = fs::weakly_canonical(fs::absolute(in, ec), ec);
    if (!ec && p == out) refuse("is also an input of this run ('" + in + "')");
  }
  // The nearest existing folder on the way must be writable (the result is written beside it).
  fs::path dir = fs::absolute(path, ec).parent_path();
  while (!dir.empty() && !fs::exists(dir, ec)) dir = dir.parent_path();
  if (dir.empty()) dir = ".";
  if (!fs::is_directory(dir, ec)) refuse("'" + dir.string() + "' on the way is not a folder");
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    refuse("its folder '" + dir.string() + "' is not writable (" + std::strerror(errno) + ")");
}

}  // namespace airtp
