// The experiment engine every Monte Carlo command runs on (`mse`, `compare`, `ppl`; `assign`
// through run_sequence). A command declares
//   - its sweep axes (the grid is their Cartesian product, the first axis outermost),
//   - its jobs: each computes per-realization samples at a grid point, one block of
//     realizations at a time, and says which axes it depends on (a job constant along an axis,
//     e.g. the digital quantization error along the SNR, is computed once and shared),
// and the engine owns everything else: the points x blocks, checkpoints (every finished block
// is saved; --resume loads them), shards (--shard i/n: a realization range of every point, or
// with early stopping whole points), progress with the time left (blocks report their own
// progress, so the estimate moves inside a point too), and early stopping: with target_rse X a
// point's job stops once the relative standard error of its mean is at most X (at least
// min_realizations, at most `realizations`), and the count reached is recorded.
//
// Every block is a pure function of (seed, point, realization range), and the stopping rule
// looks only at the blocks before it, so results do not depend on the thread count, the shard
// split or an interruption.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "host/runs/axis.hpp"
#include "host/runs/checkpoint.hpp"
#include "host/runs/samples.hpp"
#include "host/runs/shard.hpp"

namespace airtp {

// A point of the grid as one index per axis.
std::vector<size_t> grid_index(const std::vector<Axis>& axes, size_t point);
size_t grid_points(const std::vector<Axis>& axes);

// Reports the fraction of the current block done (0..1).
using BlockProgress = std::function<void(double fraction)>;

struct Job {
  std::string name;                  // names its sample streams ("<name>/<sample>") and checkpoint blocks
  std::vector<std::string> samples;  // what it computes per realization
  size_t width = 1;                  // doubles per realization and sample
  std::vector<size_t> widths;        // per sample, when they differ (empty: `width` for all)
  uint64_t block = 4096;             // realizations per block: the unit of checkpoints and early stopping
  std::vector<char> depends;         // per axis: 0 = the job's samples do not change along it (empty: all 1)
  double cost = 1;                   // relative cost of one realization (progress estimate)
  // Computes realizations [first, first + count) at grid point `point` into out[k] (count x
  // width values for samples[k]).
  size_t width_of(size_t k) const { return widths.empty() ? width : widths[k]; }
  std::function<void(size_t point, uint64_t first, uint64_t count, const std::vector<double*>& out,
                     const BlockProgress& progress)>
      run;
  // Early stopping: the relative standard error of the job's mean at grid point `point` from its
  // samples so far (values of samples[0..], `count` realizations); empty: the default, the mean of the
  // finite entries of samples[0] (outages, +inf, left out). Returns +inf when undefined.
  std::function<double(size_t point, const std::vector<const std::vector<double>*>& values, uint64_t count)> rse;
};

struct RunPlan {
  std::string label;             // for progress lines ("mse", "ppl", ...)
  std::vector<Axis> axes;
  std::vector<Job> jobs;
  uint64_t realizations = 1;     // per point (the cap with early stopping)
  double target_rse = 0;         // 0: off
  uint64_t min_realizations = 0; // early stopping never before this many (0: two blocks)
  // Memory besides the samples (the command's own buffers), and the options to name when the
  // run does not fit in memory.
  double extra_bytes = 0;
  std::string reduce_hint = "--realizations (realizations) or the sweep axes";
};

// Peak memory of a run: its samples (every stream's values at every point) plus extra_bytes.
double plan_bytes(const RunPlan& plan);

struct RunControl {
  ShardSpec shard;                      // which piece this process computes
  const Checkpoint* checkpoint = nullptr;
  bool quiet = false;
};

// The relative standard error of the mean of the finite values (+inf when fewer than 2 or a
// zero mean).
double mean_rse(const std::vector<double>& v);

// Runs the plan (or this process's shard of it) and returns the samples.
SampleSet run_plan(const RunPlan& plan, const RunControl& control);

// Checks that merged shards cover the plan: every point of every stream has realizations
// [0, count) with count = realizations, or (early stopping) at least one block; InputError.
void check_complete(const RunPlan& plan, const SampleSet& s);

// Sequential iterations (the SSCA loop): iteration tau's outcome is a record of doubles, saved
// to the checkpoint when done; a resumed run hands the records it finds to `apply` in order
// (replay) instead of calling `step`, then continues. `step(tau)` returns the record of
// iteration tau given the state built by the records before it.
void run_sequence(const std::string& label, int iterations, size_t record_size, const Checkpoint* checkpoint,
                  bool quiet, const std::function<std::vector<double>(int tau)>& step,
                  const std::function<void(const std::vector<double>& record, int tau)>& apply);

}  // namespace airtp
