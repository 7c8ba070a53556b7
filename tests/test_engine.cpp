// The experiment engine (host/runs/engine.hpp): the grid of axes, jobs computed block by block,
// jobs shared along the axes they do not depend on, shards (realization ranges, or whole points
// with early stopping), checkpoints and --target-rse early stopping, checked on synthetic jobs
// against an independent recomputation of the stopping rule; then early stopping end to end
// (`compare`, `mse`, `ppl`): the count reached is recorded per point, never beyond
// --realizations, and the files are identical across thread counts, shards and kill/--resume.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "host/common/errors.hpp"
#include "host/runs/checkpoint.hpp"
#include "host/runs/engine.hpp"
#include "tests/cli_runner.hpp"
#include "tests/h5_util.hpp"

using namespace airtp;
using airtp::test::run_airtp;
namespace fs = std::filesystem;

namespace {

fs::path dir() { return test::scratch_dir("engine"); }

// A deterministic sample of point p, realization r: 1 + spread[p] (2u - 1), u uniform in [0, 1).
double uniform(uint64_t p, uint64_t r) {
  uint64_t z = p * 0x9E3779B97F4A7C15ull + r * 0xBF58476D1CE4E5B9ull + 0x94D049BB133111EBull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return (double)(z >> 11) / 9007199254740992.0;
}
const double kSpread[6] = {0.05, 0.5, 1.5, 0.2, 3.0, 0.01};
double sample(size_t p, uint64_t r) { return 1.0 + kSpread[p % 6] * (2 * uniform(p, r) - 1); }

std::vector<Axis> two_axes() {
  return {{"a", "1", "first axis", {10, 20, 30}, {}, true}, {"b", "1", "second axis", {}, {"x", "y"}, false}};
}

// A plan of 6 points, one job whose sample "v" is sample(p, r) and whose "w" is 2 sample(p, r);
// counts the realizations it computed.
struct Synthetic {
  RunPlan plan;
  std::shared_ptr<std::atomic<long>> computed = std::make_shared<std::atomic<long>>(0);
  Synthetic(uint64_t realizations, uint64_t block, double target = 0, uint64_t min = 0) {
    plan.label = "test";
    plan.axes = two_axes();
    plan.realizations = realizations;
    plan.target_rse = target;
    plan.min_realizations = min;
    Job j;
    j.name = "job";
    j.samples = {"v", "w"};
    j.block = block;
    auto counter = computed;
    j.run = [counter](size_t point, uint64_t first, uint64_t count, const std::vector<double*>& out, const BlockProgress&) {
      for (uint64_t i = 0; i < count; ++i) out[0][i] = sample(point, first + i), out[1][i] = 2 * sample(point, first + i);
      *counter += (long)count;
    };
    plan.jobs.push_back(std::move(j));
  }
};

SampleSet run(const RunPlan& plan, ShardSpec shard = {}, const Checkpoint* ckpt = nullptr) {
  RunControl c;
  c.shard = shard;
  c.checkpoint = ckpt;
  c.quiet = true;
  return run_plan(plan, c);
}

// The relative standard error of the mean, two-pass (an independent recomputation).
double rse(const std::vector<double>& x) {
  double m = 0;
  for (double v : x) m += v;
  m /= (double)x.size();
  double q = 0;
  for (double v : x) q += (v - m) * (v - m);
  return std::sqrt(q / (double)(x.size() - 1) / (double)x.size()) / std::fabs(m);
}

// Where the stopping rule stops point p: after the first block (at least max(min, 2 blocks)
// realizations in, before the end) whose samples so far have an RSE at most `target`.
uint64_t expected_stop(size_t p, uint64_t R, uint64_t block, double target, uint64_t min) {
  const uint64_t need = std::max(min, 2 * block);
  std::vector<double> x;
  for (uint64_t done = 0; done < R;) {
    const uint64_t n = std::min(block, R - done);
    for (uint64_t i = 0; i < n; ++i) x.push_back(sample(p, done + i));
    done += n;
    if (done < R && done >= need) {
      const double r = rse(x);
      EXPECT_GT(std::fabs(r - target), 1e-9 * target) << "too close to the threshold to decide independently";
      if (r <= target) return done;
    }
  }
  return R;
}

}  // namespace

TEST(Engine, GridIsTheCartesianProductFirstAxisOutermost) {
  const std::vector<Axis> axes = two_axes();
  EXPECT_EQ(grid_points(axes), 6u);
  EXPECT_EQ(grid_index(axes, 0), (std::vector<size_t>{0, 0}));
  EXPECT_EQ(grid_index(axes, 1), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(grid_index(axes, 2), (std::vector<size_t>{1, 0}));
  EXPECT_EQ(grid_index(axes, 5), (std::vector<size_t>{2, 1}));
  EXPECT_EQ(grid_points({}), 1u);
}

TEST(Engine, EveryPointGetsEveryRealizationInOrder) {
  Synthetic s(1000, 128);  // 1000 is not a multiple of the block
  const SampleSet out = run(s.plan);
  for (size_t p = 0; p < 6; ++p) {
    ASSERT_EQ(out.count("job/v", p), 1000u);
    EXPECT_EQ(out.stream("job/v").points[p].begin, 0u);
    for (uint64_t r = 0; r < 1000; ++r) {
      ASSERT_EQ(out.at("job/v", p)[r], sample(p, r));
      ASSERT_EQ(out.at("job/w", p)[r], 2 * sample(p, r));
    }
  }
  EXPECT_EQ(*s.computed, 6000);
  EXPECT_NO_THROW(check_complete(s.plan, out));
}

TEST(Engine, TargetRseStopsEachPointWhereTheRuleSays) {
  const uint64_t R = 5000, block = 250;
  const double target = 0.004;
  Synthetic s(R, block, target);
  const SampleSet out = run(s.plan);
  int early = 0, full = 0;
  for (size_t p = 0; p < 6; ++p) {
    const uint64_t want = expected_stop(p, R, block, target, 0);
    EXPECT_EQ(out.count("job/v", p), want) << "point " << p;
    EXPECT_EQ(out.count("job/w", p), want) << "every sample of the job stops together";
    EXPECT_LE(out.count("job/v", p), R);
    EXPECT_GE(out.count("job/v", p), 2 * block) << "never before two blocks";
    EXPECT_EQ(out.at("job/v", p).size(), want);
    early += want < R, full += want == R;
  }
  EXPECT_GT(early, 1) << "the spreads were chosen so that some points stop early";
  EXPECT_GT(full, 0) << "and some never reach the target";
  EXPECT_NO_THROW(check_complete(s.plan, out));
  // min_realizations holds the stop back.
  Synthetic m(R, block, target, 1700);
  const SampleSet outm = run(m.plan);
  for (size_t p = 0; p < 6; ++p) {
    EXPECT_EQ(outm.count("job/v", p), expected_stop(p, R, block, target, 1700)) << "point " << p;
    EXPECT_GE(outm.count("job/v", p), 1700u);
  }
}

// A job's own error measure replaces the default (the mean of its first sample).
TEST(Engine, AJobsOwnRseDecides) {
  Synthetic s(2000, 100, 0.5);
  std::vector<uint64_t> seen;
  s.plan.jobs[0].rse = [&](size_t point, const std::vector<const std::vector<double>*>& v, uint64_t count) {
    EXPECT_EQ(v.size(), 2u);
    EXPECT_EQ(v[0]->size(), count);
    if (point == 0) seen.push_back(count);
    return count >= 700 ? 0.1 : 1.0;  // "converged" at 700
  };
  const SampleSet out = run(s.plan);
  for (size_t p = 0; p < 6; ++p) EXPECT_EQ(out.count("job/v", p), 700u);
  EXPECT_EQ(seen, (std::vector<uint64_t>{200, 300, 400, 500, 600, 700})) << "asked after each block from two blocks on";
}

// A job constant along an axis is computed once per value of the others and shared.
TEST(Engine, AJobIsSharedAlongTheAxesItDoesNotDependOn) {
  Synthetic s(300, 100);
  s.plan.jobs[0].depends = {1, 0};  // constant along b
  std::vector<size_t> points;
  auto inner = s.plan.jobs[0].run;
  s.plan.jobs[0].run = [&, inner](size_t point, uint64_t first, uint64_t count, const std::vector<double*>& out,
                                  const BlockProgress& pr) {
    if (first == 0) points.push_back(point);
    inner(point, first, count, out, pr);
  };
  const SampleSet out = run(s.plan);
  EXPECT_EQ(points, (std::vector<size_t>{0, 2, 4})) << "b = x stands for both values of b";
  EXPECT_EQ(*s.computed, 900);
  for (size_t a = 0; a < 3; ++a) EXPECT_EQ(out.at("job/v", 2 * a + 1), out.at("job/v", 2 * a));
}

// Shards: without early stopping a realization range of every point, with it whole points;
// either way the pieces put together are the unsharded samples.
TEST(Engine, ShardsTileTheRun) {
  for (double target : {0.0, 0.004}) {
    SCOPED_TRACE("target " + std::to_string(target));
    Synthetic s(1001, 100, target);
    const SampleSet full = run(s.plan);
    const int n = 4;
    std::map<std::string, std::vector<PointSamples>> merged;
    for (int i = 0; i < n; ++i) {
      const SampleSet part = run(s.plan, ShardSpec{i, n, true});
      for (const auto& [name, st] : part.streams) {
        auto& m = merged[name];
        m.resize(st.points.size());
        for (size_t p = 0; p < st.points.size(); ++p) {
          const PointSamples& ps = st.points[p];
          if (ps.count == 0) continue;
          if (target > 0) {
            EXPECT_EQ(ps.begin, 0u) << "whole points";
            EXPECT_EQ(m[p].count, 0u) << "one shard per point";
          } else {
            EXPECT_EQ(ps.begin, m[p].count) << "contiguous ranges in shard order";
            EXPECT_LE(ps.count, 1001u / n + 1);
          }
          m[p].count += ps.count;
          m[p].values.insert(m[p].values.end(), ps.values.begin(), ps.values.end());
        }
      }
    }
    for (const auto& [name, pts] : merged)
      for (size_t p = 0; p < pts.size(); ++p) {
        EXPECT_EQ(pts[p].count, full.count(name, p)) << name << " " << p;
        EXPECT_EQ(pts[p].values, full.at(name, p)) << name << " " << p;
      }
  }
}

// Finished blocks are checkpointed; a resumed run loads them instead of computing, to the same
// samples, and computes only what is missing.
TEST(Engine, CheckpointedBlocksAreLoadedNotRecomputed) {
  const std::string out = (dir() / "ckpt.h5").string();
  fs::remove_all(out + ".ckpt");
  Synthetic s(1000, 100, 0.004);
  SampleSet first;
  {
    const Checkpoint c(out, "test run", CheckpointMode::start);
    first = run(s.plan, {}, &c);
    EXPECT_GT(c.blocks(), 20u);
  }
  const long computed = *s.computed;
  // Lose three blocks (e.g. a kill while writing them): only those are recomputed.
  int removed = 0;
  for (const auto& e : fs::directory_iterator(out + ".ckpt")) {
    const std::string f = e.path().filename().string();
    if ((f == "job_" + block_key(1, 200, 100) || f == "job_" + block_key(4, 0, 100) || f == "job_" + block_key(5, 100, 100)))
      fs::remove(e.path()), ++removed;
  }
  ASSERT_EQ(removed, 3);
  {
    const Checkpoint c(out, "test run", CheckpointMode::resume);
    const SampleSet again = run(s.plan, {}, &c);
    EXPECT_EQ(*s.computed - computed, 300) << "exactly the three missing blocks";
    for (const auto& [name, st] : first.streams)
      for (size_t p = 0; p < st.points.size(); ++p) EXPECT_EQ(again.at(name, p), st.points[p].values) << name << " " << p;
    c.remove();
  }
  EXPECT_FALSE(fs::exists(out + ".ckpt"));
  // A corrupt block fails its checksum and is recomputed, not trusted.
  {
    const Checkpoint c(out, "test run", CheckpointMode::start);
    const std::vector<double> good{1, 2, 3};
    c.save("k", good.data(), 3);
    std::vector<double> back(3);
    EXPECT_TRUE(c.load("k", back.data(), 3));
    EXPECT_EQ(back, good);
    EXPECT_FALSE(c.load("k", back.data(), 4)) << "another size";
    std::fstream f(out + ".ckpt/k", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    f.put('\x55');
    f.close();
    EXPECT_FALSE(c.load("k", back.data(), 3));
    c.remove();
  }
}

TEST(Engine, NaNSamplesAndIncompleteSetsAreErrors) {
  Synthetic s(100, 50);
  auto inner = s.plan.jobs[0].run;
  s.plan.jobs[0].run = [inner](size_t point, uint64_t first, uint64_t count, const std::vector<double*>& out,
                               const BlockProgress& pr) {
    inner(point, first, count, out, pr);
    if (point == 3 && first == 50) out[1][7] = std::nan("");
  };
  try {
    run(s.plan);
    FAIL() << "NaN accepted";
  } catch (const NumericalError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("job 'job' produced NaN at grid point 3, realizations 50..100"), std::string::npos) << m;
  }
  Synthetic t(100, 50);
  SampleSet part = run(t.plan, ShardSpec{0, 2, true});
  EXPECT_THROW(check_complete(t.plan, part), InputError);
  part.streams.erase("job/w");
  EXPECT_THROW(check_complete(t.plan, part), InputError);
}

// Sequential iterations (SSCA): a resumed run replays the records it finds, in order, and
// continues from there.
TEST(Engine, RunSequenceReplaysCheckpointedIterations) {
  const std::string out = (dir() / "seq.h5").string();
  fs::remove_all(out + ".ckpt");
  auto step_of = [](int tau) { return std::vector<double>{(double)tau, tau * 0.5}; };
  std::vector<int> stepped, applied;
  {
    const Checkpoint c(out, "seq", CheckpointMode::start);
    run_sequence("t", 4, 2, &c, true, [&](int tau) { stepped.push_back(tau); return step_of(tau); },
                 [&](const std::vector<double>& r, int tau) {
                   EXPECT_EQ(r, step_of(tau));
                   applied.push_back(tau);
                 });
  }
  EXPECT_EQ(stepped, (std::vector<int>{0, 1, 2, 3}));
  fs::remove(out + ".ckpt/it2");
  fs::remove(out + ".ckpt/it3");
  stepped.clear(), applied.clear();
  {
    const Checkpoint c(out, "seq", CheckpointMode::resume);
    run_sequence("t", 5, 2, &c, true, [&](int tau) { stepped.push_back(tau); return step_of(tau); },
                 [&](const std::vector<double>& r, int tau) {
                   EXPECT_EQ(r, step_of(tau));
                   applied.push_back(tau);
                 });
    c.remove();
  }
  EXPECT_EQ(stepped, (std::vector<int>{2, 3, 4}));
  EXPECT_EQ(applied, (std::vector<int>{0, 1, 2, 3, 4}));
}

// ---- early stopping end to end ---------------------------------------------------------

namespace {

std::vector<std::string> split_words(const std::string& s) {
  std::vector<std::string> v;
  std::istringstream in(s);
  for (std::string w; in >> w;) v.push_back(w);
  return v;
}

// Starts airtp, SIGKILLs it once `file` exists with `n` finished entries named like `prefix`
// in the checkpoint folder; returns false when it finished first.
bool kill_after(const std::string& args, const std::string& ckpt, const std::string& prefix, int n) {
  std::vector<std::string> a = split_words(args);
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv{const_cast<char*>(AIRTP_BINARY)};
    for (auto& x : a) argv.push_back(x.data());
    argv.push_back(nullptr);
    execv(AIRTP_BINARY, argv.data());
    _exit(127);
  }
  int st = 0;
  for (;;) {
    if (waitpid(pid, &st, WNOHANG) == pid) return false;
    int k = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(ckpt, ec)) {
      const std::string f = e.path().filename().string();
      k += f.rfind(prefix, 0) == 0 && f.find(".tmp.") == std::string::npos;
    }
    if (k >= n) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &st, 0);
  return true;
}

void expect_same_files(const std::string& a, const std::string& b) {
  const auto da = test::dataset_bytes(a), db = test::dataset_bytes(b);
  ASSERT_FALSE(da.empty());
  EXPECT_EQ(da.size(), db.size());
  for (const auto& [name, bytes] : da) {
    ASSERT_TRUE(db.count(name)) << name << " missing from " << b;
    EXPECT_TRUE(bytes == db.at(name)) << name << " differs between " << a << " and " << b;
  }
}

}  // namespace

// `airtp compare --target-rse`: each point stops after the first block (8,192 realizations for
// the batched solvers) from two blocks on where the relative standard error of its mean alpha
// is at most the target, checked here on the per-realization alpha the file stores; the count
// is recorded per solver and point, never beyond --realizations; and the file is the same with
// 1 and 2 threads, in 3 shards (whole points) and after kill -9 / --resume.
TEST(EarlyStopping, CompareStopsWhereTheRuleSaysEverywhereTheSame) {
  const fs::path d = dir();
  const std::string cfg = (d / "rse.toml").string();
  std::ofstream(cfg) << "command = \"compare\"\nseed = 4\nrealizations = 40000\ntarget_rse = 0.006\nsolvers = [\"eigen\"]\n"
                        "lower_bound = false\nsave_channels = true\n[channel]\nn_devices = [1, 3]\nn_rx = [2, 4]\nn_tx = 1\n"
                        "k_db = [-inf]\n";
  const std::string ref = (d / "rse_ref.h5").string();
  setenv("OMP_NUM_THREADS", "2", 1);
  auto r = run_airtp("compare -q " + cfg + " -o " + ref);
  ASSERT_EQ(r.code, 0) << r.output;
  const auto counts = test::read_ints(ref, "compare/realizations");
  ASSERT_EQ(counts.size(), 4u);
  int early = 0;
  for (size_t p = 0; p < 4; ++p) {
    SCOPED_TRACE("point " + std::to_string(p));
    const uint64_t n = (uint64_t)counts[p];
    EXPECT_LE(n, 40000u);
    EXPECT_GE(n, 16384u);
    EXPECT_TRUE(n % 8192 == 0 || n == 40000) << n;
    early += n < 40000;
    // The rule on the stored alphas: above the target at every earlier block boundary from two
    // blocks on, at most the target where it stopped.
    std::vector<hsize_t> shape;
    const auto alpha = test::read_doubles(ref, "compare/channels/p" + std::to_string(p) + "/alpha", &shape);
    ASSERT_EQ(shape, (std::vector<hsize_t>{1, n}));
    for (uint64_t b = 16384; b <= n && b < 40000; b += 8192) {
      const double x = rse(std::vector<double>(alpha.begin(), alpha.begin() + (long)b));
      if (b < n) EXPECT_GT(x, 0.006) << "did not stop at " << b;
      else EXPECT_LE(x, 0.006) << "stopped at " << b;
    }
  }
  EXPECT_GE(early, 1) << "the target was chosen so that points stop early";
  EXPECT_EQ(test::read_doubles(ref, "compare/mse_mean").size(), 4u);
  // One thread.
  const std::string one = (d / "rse_1.h5").string();
  setenv("OMP_NUM_THREADS", "1", 1);
  r = run_airtp("compare -q " + cfg + " -o " + one);
  setenv("OMP_NUM_THREADS", "2", 1);
  ASSERT_EQ(r.code, 0) << r.output;
  expect_same_files(ref, one);
  // Three shards of whole points, merged.
  std::string shards;
  for (int i = 0; i < 3; ++i) {
    const std::string sh = (d / ("rse_s" + std::to_string(i) + ".h5")).string();
    r = run_airtp("run " + cfg + " -q --shard " + std::to_string(i) + "/3 -o " + sh);
    ASSERT_EQ(r.code, 0) << r.output;
    shards += " " + sh;
  }
  const std::string merged = (d / "rse_merged.h5").string();
  r = run_airtp("merge -q " + merged + shards);
  ASSERT_EQ(r.code, 0) << r.output;
  expect_same_files(ref, merged);
  // Killed after its first finished block, then resumed.
  const std::string out = (d / "rse_killed.h5").string();
  bool killed = false;
  for (int trial = 0; trial < 5 && !killed; ++trial) {
    fs::remove(out);
    fs::remove_all(out + ".ckpt");
    killed = kill_after("compare -q " + cfg + " -o " + out, out + ".ckpt", "solver0_eigen_", 1);
  }
  ASSERT_TRUE(killed);
  r = run_airtp("compare -q " + cfg + " --resume -o " + out);
  ASSERT_EQ(r.code, 0) << r.output;
  expect_same_files(ref, out);
  unsetenv("OMP_NUM_THREADS");
}

// `airtp mse`: the count reached is recorded per curve and point (mse/realizations); a target
// that is never met runs every point to --realizations.
TEST(EarlyStopping, MseRecordsTheCountReachedAndNeverGoesBeyond) {
  const std::string base = "mse -q -N 1 --n-rx 2 --n-tx 1 --k-db 0,10 --solver eigen --snr-db 0,10 --seed 3 -R 140000 ";
  const std::string a = (dir() / "mse_rse.h5").string(), b = (dir() / "mse_tight.h5").string();
  auto r = run_airtp(base + "--target-rse 0.05 -o " + a);
  ASSERT_EQ(r.code, 0) << r.output;
  // Blocks of 65,536 realizations: the first chance to stop is after two of them.
  EXPECT_EQ(test::read_ints(a, "mse/realizations"), (std::vector<int64_t>{131072, 131072}));
  EXPECT_EQ(test::dim_names(a, "mse/realizations"),
            (std::vector<std::string>{"curve", "n_devices", "assignment", "n_rx", "n_tx", "streams", "k_factor", "csi_nmse"}));
  r = run_airtp(base + "--target-rse 1e-9 -o " + b);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(test::read_ints(b, "mse/realizations"), (std::vector<int64_t>{140000, 140000}));
  // The early file's mean is the mean of the first 131,072 realizations of the full run's:
  // stopping does not change the draws.
  const std::string c = (dir() / "mse_131072.h5").string();
  r = run_airtp("mse -q -N 1 --n-rx 2 --n-tx 1 --k-db 0,10 --solver eigen --snr-db 0,10 --seed 3 -R 131072 -o " + c);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(test::read_doubles(a, "mse/mean"), test::read_doubles(c, "mse/mean"));
}

// `airtp ppl`: the analog curves stop on the perplexity's relative standard error, in blocks
// of 2 realizations; exact does not depend on the channel and is computed once.
TEST(EarlyStopping, PplStopsOnThePerplexity) {
  const std::string base = "ppl -q -N 2 --schemes exact,aircomp --solver eigen --snr-db 30 -R 6 --max-stories 2 --seed 2 ";
  const std::string a = (dir() / "ppl_rse.h5").string(), b = (dir() / "ppl_tight.h5").string();
  auto r = run_airtp(base + "--target-rse 0.5 -o " + a);
  ASSERT_EQ(r.code, 0) << r.output;
  const auto n = test::read_ints(a, "ppl/realizations");
  ASSERT_EQ(n.size(), 2u);
  EXPECT_EQ(n[0], 6) << "exact: one block of every realization";
  EXPECT_EQ(n[1], 4) << "aircomp: two blocks of 2, then the RSE is below 0.5";
  r = run_airtp(base + "--target-rse 1e-9 -o " + b);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(test::read_ints(b, "ppl/realizations")[1], 6);
}

// `compare --save-channels` with --target-rse where the solvers stop at different counts: the
// channels of the longest run are stored, each solver's alpha masked past its own count (once
// the run ended with exit 1 after all the work).
TEST(EarlyStopping, CompareSavesChannelsWhenSolversStopApart) {
  const std::string cfg = (dir() / "apart.toml").string();
  std::ofstream(cfg) << "command = \"compare\"\nseed = 4\nrealizations = 40000\ntarget_rse = 0.006\n"
                        "solvers = [\"eigen\", \"random\"]\nlower_bound = false\nsave_channels = true\n"
                        "[channel]\nn_devices = [1]\nn_rx = [4]\nn_tx = 1\n";
  const std::string out = (dir() / "apart.h5").string();
  const auto r = run_airtp("compare -q --fresh " + cfg + " -o " + out);
  ASSERT_EQ(r.code, 0) << r.output;
  const auto n = test::read_ints(out, "compare/realizations");
  ASSERT_EQ(n.size(), 2u);
  EXPECT_NE(n[0], n[1]);
}
