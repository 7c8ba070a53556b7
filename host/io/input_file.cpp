#include "host/io/input_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "host/common/errors.hpp"

namespace airtp {

namespace {

[[noreturn]] void refuse(const std::string& what, const std::string& path, const std::string& reason) {
  throw InputError(what + " '" + path + "': " + reason);
}

std::string kind_of(mode_t m) {
  if (S_ISDIR(m)) return "is a directory, not a file";
  if (S_ISFIFO(m)) return "is a FIFO (named pipe), not a regular file";
  if (S_ISCHR(m) || S_ISBLK(m)) return "is a device, not a regular file";
  if (S_ISSOCK(m)) return "is a socket, not a regular file";
  return "is not a regular file";
}

std::string bytes_text(uint64_t n) {
  if (n >= (1ull << 30)) return std::to_string(n >> 30) + " GiB";
  if (n >= (1ull << 20)) return std::to_string(n >> 20) + " MiB";
  return std::to_string(n) + " bytes";
}

// Opens without blocking (a FIFO with no writer must not hang the open) and checks the
// descriptor itself, so what is checked is what is read.
int open_checked(const std::string& path, const std::string& what, uint64_t max_bytes, uint64_t& size) {
  if (path.empty()) refuse(what, path, "empty file name");
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    if (e == ENOENT) refuse(what, path, "no such file");
    if (e == ENOTDIR) refuse(what, path, "a folder on the path is not a folder");
    refuse(what, path, std::string("cannot open: ") + std::strerror(e));
  }
  struct stat st{};
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    refuse(what, path, std::string("cannot stat: ") + std::strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    refuse(what, path, kind_of(st.st_mode));
  }
  size = (uint64_t)st.st_size;
  if (size > max_bytes) {
    ::close(fd);
    refuse(what, path, "is " + bytes_text(size) + ", more than the " + bytes_text(max_bytes) + " this input may have");
  }
  // Regular files never block; clear O_NONBLOCK anyway so reads behave normally.
  const int fl = ::fcntl(fd, F_GETFL);
  if (fl >= 0) ::fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  return fd;
}

template <class Buf>
Buf read_all(const std::string& path, const std::string& what, uint64_t max_bytes) {
  uint64_t size = 0;
  const int fd = open_checked(path, what, max_bytes, size);
  Buf buf;
  try {
    buf.resize((size_t)size);
  } catch (const std::bad_alloc&) {
    ::close(fd);
    refuse(what, path, "not enough memory to read " + bytes_text(size));
  }
  size_t off = 0;
  while (off < buf.size()) {
    const ssize_t r = ::read(fd, reinterpret_cast<char*>(buf.data()) + off, buf.size() - off);
    if (r < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd);
      refuse(what, path, std::string("read failed: ") + std::strerror(e));
    }
    if (r == 0) break;
    off += (size_t)r;
  }
  char extra;
  const ssize_t more = off == buf.size() ? ::read(fd, &extra, 1) : 0;
  ::close(fd);
  if (off != buf.size() || more > 0) refuse(what, path, "changed size while it was being read");
  return buf;
}

}  // namespace

uint64_t check_input_file(const std::string& path, const std::string& what, uint64_t max_bytes) {
  uint64_t size = 0;
  ::close(open_checked(path, what, max_bytes, size));
  return size;
}

std::string read_input_file(const std::string& path, const std::string& what, uint64_t max_bytes) {
  return read_all<std::string>(path, what, max_bytes);
}

std::vector<uint8_t> read_input_bytes(const std::string& path, const std::string& what, uint64_t max_bytes) {
  return read_all<std::vector<uint8_t>>(path, what, max_bytes);
}

MappedInput::MappedInput(const std::string& path, const std::string& what, uint64_t max_bytes) : path_(path) {
  uint64_t size = 0;
  const int fd = open_checked(path, what, max_bytes, size);
  size_ = (size_t)size;
  if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    const int e = errno;
    ::close(fd);
    if (p == MAP_FAILED) refuse(what, path, std::string("cannot map into memory: ") + std::strerror(e));
    data_ = static_cast<const uint8_t*>(p);
  } else {
    ::close(fd);
  }
}

MappedInput::~MappedInput() {
  if (data_) ::munmap(const_cast<uint8_t*>(data_), size_);
}

}  // namespace airtp
