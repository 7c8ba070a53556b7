// run_in_workers: forked worker processes give exactly the in-process results, whatever their
// number, and a worker that fails has its share recomputed here (where its error surfaces).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <stdexcept>
#include <vector>

#include "host/common/fork_workers.hpp"

using airtp::run_in_workers;

namespace {

void fill(long i, double* out) {
  for (int k = 0; k < 3; ++k) out[k] = 10.0 * i + k + 0.25;
}

std::vector<double> reference(long count) {
  std::vector<double> v((size_t)count * 3);
  for (long i = 0; i < count; ++i) fill(i, v.data() + i * 3);
  return v;
}

}  // namespace

TEST(ForkWorkers, AnyNumberOfWorkersGivesTheInProcessResults) {
  for (long count : {1L, 5L, 37L})
    for (int workers : {1, 2, 3, 8, 100}) {
      std::vector<double> got((size_t)count * 3, -1.0);
      run_in_workers(count, 3, workers, fill, got.data());
      EXPECT_EQ(got, reference(count)) << count << " items, " << workers << " workers";
    }
}

TEST(ForkWorkers, FailedOrKilledWorkersAreRecomputedHere) {
  const pid_t parent = getpid();
  // Items 3 (an exception) and 11 (a crash) fail only inside a worker process.
  auto flaky = [parent](long i, double* out) {
    if (getpid() != parent && i == 3) throw std::runtime_error("worker failure");
    if (getpid() != parent && i == 11) raise(SIGKILL);
    fill(i, out);
  };
  std::vector<double> got(20 * 3, -1.0);
  run_in_workers(20, 3, 4, flaky, got.data());
  EXPECT_EQ(got, reference(20));
  // An error that is not the worker's own surfaces from the in-process recomputation.
  auto broken = [](long i, double* out) {
    if (i == 7) throw std::runtime_error("bad item 7");
    fill(i, out);
  };
  EXPECT_THROW(run_in_workers(12, 3, 3, broken, got.data()), std::runtime_error);
}
