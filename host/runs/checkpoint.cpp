#include "host/runs/checkpoint.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "host/common/errors.hpp"

namespace fs = std::filesystem;

namespace airtp {

static const char kMagic[8] = {'A', 'I', 'R', 'T', 'P', 'C', 'K', '1'};

static uint64_t fnv(const void* p, size_t n) {
  uint64_t h = 1469598103934665603ull;
  const auto* b = static_cast<const unsigned char*>(p);
  for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  return h;
}

// Writes `bytes` to `path` so that `path` is either absent or complete: temporary file, then
// rename (atomic within a folder). No fsync: a killed process loses nothing the kernel
// already has, and after a machine crash a torn block fails its checksum and is recomputed.
static void write_atomic(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw InputError("checkpoint '" + path + "': cannot write (" + std::strerror(errno) + ")");
  size_t off = 0;
  while (off < bytes.size()) {
    const ssize_t w = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      throw InputError("checkpoint '" + path + "': write failed (" + std::strerror(errno) + ")");
    }
    off += (size_t)w;
  }
  ::close(fd);
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw InputError("checkpoint '" + path + "': rename failed (" + std::strerror(errno) + ")");
}

static std::string read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// A process killed with SIGKILL leaves its ResultFile temporary (.NAME.tmp-PID) behind;
// remove those of the output whose writer is no longer running.
static void remove_stale_temporaries(const std::string& output_path) {
  const fs::path out(output_path);
  const fs::path dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
  std::string prefix = ".";  // appended piecewise (GCC 12 warns falsely on the chained +)
  prefix += out.filename().string();
  prefix += ".tmp-";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string pid = name.substr(prefix.size());
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (::kill((pid_t)std::stol(pid), 0) != 0 && errno == ESRCH) fs::remove(e.path(), ec);
  }
}

// Takes the folder's lock (non-blocking): held until this process ends, however it ends.
static int take_lock(const std::string& dir, const std::string& output_path) {
  const std::string path = dir + "/lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw InputError("checkpoint folder '" + dir + "': cannot create its lock (" + std::strerror(errno) + ")");
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char buf[32] = {};
    const ssize_t r = ::pread(fd, buf, sizeof buf - 1, 0);
    ::close(fd);
    std::string pid = r > 0 ? std::string(buf, (size_t)r) : std::string("?");
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    throw InputError("output '" + output_path + "': another airtp run (pid " + pid +
                     ") is writing it right now; wait for it or choose another -o");
  }
  const std::string me = std::to_string(getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0 && ::pwrite(fd, me.data(), me.size(), 0) < 0) {
    // the pid is only informative
  }
  return fd;
}

Checkpoint::Checkpoint(const std::string& output_path, const std::string& run_id, CheckpointMode mode)
    : dir_(output_path + ".ckpt") {
  const std::string id_file = dir_ + "/run";
  std::error_code ec;
  if (fs::exists(dir_, ec)) {
    if (!fs::is_directory(dir_, ec) || !fs::is_regular_file(id_file, ec))
      throw InputError("checkpoint folder '" + dir_ + "' exists but was not made by airtp (no 'run' file); move it away");
    lock_fd_ = take_lock(dir_, output_path);  // before anything is read or removed
    const std::string old = read_all(id_file);
    if (mode == CheckpointMode::resume) {
      remove_stale_temporaries(output_path);
      if (old != run_id) {
        ::close(lock_fd_);
        lock_fd_ = -1;
        throw InputError("--resume: checkpoint '" + dir_ + "' belongs to a different run (" + old + ", this run is " +
                         run_id + "); pass --fresh to discard it and start afresh");
      }
      return;
    }
    // An empty checkpoint (a run that stopped before finishing a block) holds nothing to lose.
    if (mode == CheckpointMode::start && blocks() == 0) mode = CheckpointMode::fresh;
    if (mode == CheckpointMode::start) {
      const size_t n = blocks();
      ::close(lock_fd_);
      lock_fd_ = -1;
      throw InputError("output '" + output_path + "': an interrupted run left a checkpoint in '" + dir_ + "' (" +
                       std::to_string(n) + " finished block(s)); pass --resume to continue it, or --fresh to "
                       "discard it and start afresh");
    }
    // fresh: discard the blocks (keep the folder and its lock).
    for (const auto& e : fs::directory_iterator(dir_, ec))
      if (e.path().filename() != "lock") fs::remove_all(e.path(), ec);
  } else {
    fs::create_directories(dir_, ec);
    if (ec) throw InputError("checkpoint folder '" + dir_ + "': cannot create (" + ec.message() + ")");
    lock_fd_ = take_lock(dir_, output_path);
  }
  write_atomic(id_file, run_id);
}

Checkpoint::~Checkpoint() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

size_t Checkpoint::blocks() const {
  size_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    const std::string f = e.path().filename().string();
    if (f != "run" && f != "lock" && f.find(".tmp.") == std::string::npos) ++n;
  }
  return n;
}

bool Checkpoint::load(const std::string& key, double* out, size_t n) const {
  const std::string bytes = read_all(dir_ + "/" + key);
  const size_t want = sizeof kMagic + 8 + n * sizeof(double) + 8;
  if (bytes.size() != want || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) return false;
  uint64_t count, sum;
  std::memcpy(&count, bytes.data() + 8, 8);
  std::memcpy(&sum, bytes.data() + want - 8, 8);
  if (count != n || sum != fnv(bytes.data() + 16, n * sizeof(double))) return false;
  std::memcpy(out, bytes.data() + 16, n * sizeof(double));
  return true;
}

void Checkpoint::save(const std::string& key, const double* data, size_t n) const {
  std::string bytes(kMagic, sizeof kMagic);
  const uint64_t count = n, sum = fnv(data, n * sizeof(double));
  bytes.append(reinterpret_cast<const char*>(&count), 8);
  bytes.append(reinterpret_cast<const char*>(data), n * sizeof(double));
  bytes.append(reinterpret_cast<const char*>(&sum), 8);
  write_atomic(dir_ + "/" + key, bytes);
}

std::string block_key(size_t point, uint64_t first, uint64_t count) {
  std::string k = "p";  // appended piecewise (GCC 12 warns falsely on the chained + here)
  k += std::to_string(point);
  k += "_r";
  k += std::to_string(first);
  k += "_n";
  k += std::to_string(count);
  return k;
}

void Checkpoint::remove() const {
  std::error_code ec;
  fs::remove_all(dir_, ec);  // the lock file goes too; our descriptor keeps the lock until we exit
}

}  // namespace airtp
