#include "host/common/fork_workers.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

namespace airtp {

namespace {

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= (size_t)w;
  }
  return true;
}

// Reads exactly n bytes unless the writer stops early; returns the bytes read.
size_t read_all(int fd, char* p, size_t n) {
  size_t got = 0;
  while (got < n) {
    const ssize_t r = ::read(fd, p + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += (size_t)r;
  }
  return got;
}

}  // namespace

void run_in_workers(long count, long per_item, int workers, const std::function<void(long i, double* out)>& solve,
                    double* out) {
  if (count <= 0) return;
  workers = (int)std::min<long>(std::max(workers, 1), count);
  if (workers == 1) {
    for (long i = 0; i < count; ++i) solve(i, out + i * per_item);
    return;
  }
  struct Worker {
    long begin, end;
    pid_t pid = -1;
    int fd = -1;
  };
  std::vector<Worker> ws;
  for (int w = 0; w < workers; ++w) ws.push_back({count * w / workers, count * (w + 1) / workers});
  for (Worker& w : ws) {
    int fds[2];
    if (::pipe(fds) != 0) continue;  // this share is computed in-process below
    const pid_t pid = ::fork();
    if (pid < 0) {
      ::close(fds[0]);
      ::close(fds[1]);
      continue;
    }
    if (pid == 0) {
      ::close(fds[0]);
      for (const Worker& o : ws)
        if (o.fd >= 0) ::close(o.fd);  // the other workers' read ends belong to the parent
      std::vector<double> buf((size_t)(w.end - w.begin) * per_item);
      try {
        for (long i = w.begin; i < w.end; ++i) solve(i, buf.data() + (i - w.begin) * per_item);
      } catch (...) {
        ::_exit(1);
      }
      const bool ok = write_all(fds[1], reinterpret_cast<const char*>(buf.data()), buf.size() * sizeof(double));
      ::_exit(ok ? 0 : 1);  // no atexit handlers: they belong to the parent
    }
    ::close(fds[1]);
    w.pid = pid;
    w.fd = fds[0];
  }
  for (Worker& w : ws) {
    bool ok = false;
    if (w.pid > 0) {
      const size_t bytes = (size_t)(w.end - w.begin) * per_item * sizeof(double);
      const size_t got = read_all(w.fd, reinterpret_cast<char*>(out + w.begin * per_item), bytes);
      ::close(w.fd);
      int st = 0;
      while (::waitpid(w.pid, &st, 0) < 0 && errno == EINTR) {
      }
      ok = got == bytes && WIFEXITED(st) && WEXITSTATUS(st) == 0;
    }
    if (!ok)
      for (long i = w.begin; i < w.end; ++i) solve(i, out + i * per_item);
  }
}

}  // namespace airtp
