// Work in forked child processes, for libraries that are not thread-safe (CSDP keeps global
// state: within one process its solves must be serialised) or not safe against their input
// (libhdf5 overflows the heap on some corrupt files). A child runs a function and sends its
// result bytes back through a pipe; the parent never shares the child's state.
#pragma once
#include <sys/types.h>

#include <functional>
#include <string>

namespace airtp {

struct ChildProcess {
  pid_t pid = -1;  // -1: the fork failed (no child)
  int fd = -1;     // read end of the child's pipe
};

// Forks a child that runs `work` and writes the bytes it returns to the pipe, then exits 0
// (1 when `work` throws or the write fails) without running the parent's atexit handlers or
// sanitizer death callbacks; a crash terminates it with the signal's default action.
ChildProcess start_child(const std::function<std::string()>& work);

// Reads everything the child wrote and reaps it. True when it exited 0; `status` gets the
// wait status (WIFSIGNALED / WTERMSIG tell a crash).
bool finish_child(const ChildProcess& c, std::string& bytes, int* status = nullptr);

// Calls solve(i, out + i * per_item) for i in [0, count), spread over up to `workers` child
// processes (1: in this process, no fork), each computing a contiguous share serially; the
// parent places the results exactly where an in-process loop would have, so they do not
// depend on the number of workers. A worker that fails (an exception, a crash) has its share
// recomputed in this process, where the error then surfaces as usual.
void run_in_workers(long count, long per_item, int workers, const std::function<void(long i, double* out)>& solve,
                    double* out);

}  // namespace airtp
