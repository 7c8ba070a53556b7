// Runs independent items in forked worker processes, for libraries that are not thread-safe
// (CSDP keeps global state: within one process its solves must be serialised). Each worker
// computes a contiguous share of the items serially and sends the results back through a
// pipe; the parent places them exactly where an in-process loop would have. Results do not
// depend on the number of workers.
#pragma once
#include <functional>

namespace airtp {

// Calls solve(i, out + i * per_item) for i in [0, count), spread over up to `workers`
// processes (1: in this process, no fork). A worker that fails (an exception, a crash) has
// its share recomputed in this process, where the error then surfaces as usual.
void run_in_workers(long count, long per_item, int workers, const std::function<void(long i, double* out)>& solve,
                    double* out);

}  // namespace airtp
