#include "host/common/fork_workers.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

// Sanitizer runtimes (ASan, libFuzzer) install a callback run when they stop a process; a
// child that dies must not run its parent's (libFuzzer would record the parent's crash).
extern "C" void __sanitizer_set_death_callback(void (*)(void)) __attribute__((weak));

namespace airtp {

ChildProcess start_child(const std::function<std::string()>& work) {
  int fds[2];
  if (::pipe(fds) != 0) return {};
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;  // kept for the caller's message
    ::close(fds[0]);
    ::close(fds[1]);
    errno = err;
    return {};
  }
  if (pid == 0) {
    // A child ends with its parent, however the parent ends (SIGTERM, kill -9, a crash): the
    // kernel sends SIGKILL when the parent thread dies; a parent gone before the prctl took
    // effect is caught by the getppid check.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    ::close(fds[0]);
    // Nothing the parent holds stays open in the child but its own pipe: above all not the
    // checkpoint lock, which a child outliving a killed parent would otherwise keep.
    if (fds[1] > 3) ::close_range(3, (unsigned)fds[1] - 1, 0);
    ::close_range((unsigned)fds[1] + 1, ~0U, 0);
    if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(nullptr);
    for (int sig : {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL}) ::signal(sig, SIG_DFL);
    std::string bytes;
    try {
      bytes = work();
    } catch (...) {
      ::_exit(1);
    }
    for (size_t off = 0; off < bytes.size();) {
      const ssize_t w = ::write(fds[1], bytes.data() + off, bytes.size() - off);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) ::_exit(1);
      off += (size_t)w;
    }
    ::_exit(0);  // no atexit handlers: they belong to the parent (open HDF5 files, test harness)
  }
  ::close(fds[1]);
  return {pid, fds[0]};
}

bool finish_child(const ChildProcess& c, std::string& bytes, int* status) {
  bytes.clear();
  if (c.pid < 0) return false;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(c.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    bytes.append(buf, (size_t)n);
  }
  ::close(c.fd);
  int st = 0;
  while (::waitpid(c.pid, &st, 0) < 0 && errno == EINTR) {
  }
  if (status) *status = st;
  return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

void run_in_workers(long count, long per_item, int workers, const std::function<void(long i, double* out)>& solve,
                    double* out) {
  if (count <= 0) return;
  workers = (int)std::min<long>(std::max(workers, 1), count);
  if (workers == 1) {
    for (long i = 0; i < count; ++i) solve(i, out + i * per_item);
    return;
  }
  struct Share {
    long begin, end;
    ChildProcess child;
  };
  std::vector<Share> shares;
  for (int w = 0; w < workers; ++w) shares.push_back({count * w / workers, count * (w + 1) / workers, {}});
  for (Share& s : shares)
    s.child = start_child([&] {
      std::string bytes((size_t)(s.end - s.begin) * per_item * sizeof(double), '\0');
      double* dst = reinterpret_cast<double*>(bytes.data());
      for (long i = s.begin; i < s.end; ++i) solve(i, dst + (i - s.begin) * per_item);
      return bytes;
    });
  for (const Share& s : shares) {
    std::string bytes;
    const size_t want = (size_t)(s.end - s.begin) * per_item * sizeof(double);
    if (finish_child(s.child, bytes) && bytes.size() == want)
      std::memcpy(out + s.begin * per_item, bytes.data(), want);
    else  // no child, or it failed: this share is computed here
      for (long i = s.begin; i < s.end; ++i) solve(i, out + i * per_item);
  }
}

}  // namespace airtp
