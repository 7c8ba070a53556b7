// Run infrastructure: --shard + `airtp merge` reproduce the unsharded file bit for bit;
// merge refuses missing, duplicate and mismatched shards; a run killed with SIGKILL at
// random moments and resumed ends with the same file as an uninterrupted run; `airtp run`
// dispatches on the config's command.
#include <gtest/gtest.h>
#include <H5Cpp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <thread>

#include "host/common/errors.hpp"
#include "host/runs/shard.hpp"
#include "tests/cli_runner.hpp"
#include "tests/h5_util.hpp"

using airtp::test::run_airtp;
namespace fs = std::filesystem;

namespace {

fs::path tmpdir() { return airtp::test::scratch_dir("runs"); }
std::string tmp(const std::string& name) { return (tmpdir() / name).string(); }

std::map<std::string, std::string> datasets(const std::string& path) { return airtp::test::dataset_bytes(path); }

void expect_same_datasets(const std::string& a, const std::string& b) {
  const auto da = datasets(a), db = datasets(b);
  ASSERT_FALSE(da.empty());
  ASSERT_EQ(da.size(), db.size()) << a << " vs " << b;
  for (const auto& [name, bytes] : da) {
    ASSERT_TRUE(db.count(name)) << name << " missing from " << b;
    EXPECT_TRUE(bytes == db.at(name)) << "dataset " << name << " differs between " << a << " and " << b;
  }
}

// A small sweep: 6 configuration points, 2 SNRs; R not divisible by the shard counts used.
const std::string kSweepNoSeed = "-q --realizations 301 -N 1,2,3 --n-rx 8 --n-tx 2 --k-db 0,6 --snr-db 0,10 --solver eigen";
const std::string kSweep = kSweepNoSeed + " --seed 7";

// A small `airtp ppl` sweep: 2 stories; exact, AirComp (2 SNRs) and digital (2 bit widths) at
// N = 2. `schemes` and `devices` replace the lists.
std::string ppl_config(const std::string& name, const std::string& schemes = "[\"exact\", \"aircomp\", \"digital\"]",
                       const std::string& devices = "[2]") {
  const std::string path = tmp(name);
  std::ofstream(path) << "command = \"ppl\"\nseed = 3\nschemes = " << schemes
                      << "\nrealizations = 2\nmax_stories = 2\nsolver = \"eigen\"\n[channel]\nn_devices = " << devices
                      << "\nn_rx = 8\nn_tx = 2\n[noise]\nsnr_db = [0, 20]\n[digital]\nbits = [4, 8]\n";
  return path;
}

// An `airtp compare` config: 2 points (N_r 8, 20), 150 realizations of eigen, random and the
// fast solver (one block each per point), no SDP (too slow for many realizations in a test).
std::string compare_config(const std::string& name) {
  const std::string path = tmp(name);
  std::ofstream(path) << "command = \"compare\"\nseed = 9\nrealizations = 150\nsolvers = [\"eigen\", \"random\", "
                         "\"fast\"]\nlower_bound = false\nsave_channels = true\n[solver_options]\nfast_starts = 2\n"
                         "fast_iters = 20\n[channel]\nn_devices = [3]\nn_rx = [8, 20]\n";
  return path;
}

}  // namespace

TEST(Shard, ParseAndRangesTileTheRealizations) {
  using namespace airtp;
  EXPECT_THROW(parse_shard("--shard", "3/3"), InputError);
  EXPECT_THROW(parse_shard("--shard", "-1/3"), InputError);
  EXPECT_THROW(parse_shard("--shard", "1/0"), InputError);
  EXPECT_THROW(parse_shard("--shard", "1/3x"), InputError);
  EXPECT_THROW(parse_shard("--shard", "1"), InputError);
  const ShardSpec s = parse_shard("--shard", "2/5");
  EXPECT_EQ(s.index, 2);
  EXPECT_EQ(s.count, 5);
  EXPECT_TRUE(s.given);
  for (uint64_t total : {1ull, 7ull, 301ull, 1ull << 40})
    for (int n : {1, 2, 3, 7, 64}) {
      uint64_t next = 0, sum = 0;
      for (int i = 0; i < n; ++i) {
        const RealizationRange r = shard_range(ShardSpec{i, n, true}, total);
        EXPECT_EQ(r.begin, next);
        EXPECT_LE(r.end - r.begin, total / n + 1);
        sum += r.end - r.begin;
        next = r.end;
      }
      EXPECT_EQ(sum, total);
    }
  EXPECT_NE(config_fingerprint("seed = 1\n"), config_fingerprint("seed = 2\n"));
}

namespace {

// Every scheme of SPEC §8 figure 1, an AirComp curve with a second solver and two bit widths.
const std::string kSchemes = " --schemes aircomp,fdma,digital,aircomp:random --bits 4,8 --block 16";

void expect_merge_equals_unsharded(const std::string& sweep, const std::string& tag) {
  const std::string full = tmp(tag + "full.h5");
  ASSERT_EQ(run_airtp("mse " + sweep + " -o " + full).code, 0);
  for (int n : {1, 4}) {
    std::string list;
    for (int i = n - 1; i >= 0; --i) {  // shards in any order
      const std::string s = tmp(tag + "s" + std::to_string(i) + "of" + std::to_string(n) + ".h5");
      const auto r = run_airtp("mse " + sweep + " --shard " + std::to_string(i) + "/" + std::to_string(n) + " -o " + s);
      ASSERT_EQ(r.code, 0) << r.output;
      list += " " + s;
    }
    const std::string merged = tmp(tag + "merged" + std::to_string(n) + ".h5");
    const auto r = run_airtp("merge -q " + merged + list);
    ASSERT_EQ(r.code, 0) << r.output;
    expect_same_datasets(full, merged);
  }
}

}  // namespace

TEST(ShardMerge, MergedFileEqualsUnshardedRun) { expect_merge_equals_unsharded(kSweep, ""); }

TEST(ShardMerge, MergedFileEqualsUnshardedRunWithEveryScheme) {
  expect_merge_equals_unsharded(kSweep + kSchemes, "schemes_");
  // The merged file holds every curve: aircomp, fdma, two digital bit widths, aircomp:random.
  EXPECT_EQ(airtp::test::read_strings(tmp("schemes_merged4.h5"), "mse/curve").size(), 5u);
}

TEST(ShardMerge, RefusesMissingDuplicateAndMismatchedShards) {
  std::map<std::string, std::string> s;
  auto shard = [&](const std::string& key, const std::string& flags, const std::string& spec) {
    s[key] = tmp("m_" + key + ".h5");
    const std::string base = flags.find("--seed") != std::string::npos ? kSweepNoSeed : kSweep;
    const auto r = run_airtp("mse " + base + " " + flags + " --shard " + spec + " -o " + s[key]);
    ASSERT_EQ(r.code, 0) << r.output;
  };
  shard("a0", "", "0/3");
  shard("a1", "", "1/3");
  shard("a2", "", "2/3");
  shard("snr", "--percentiles 10,90", "2/3");
  shard("seed", "--seed 8", "2/3");
  shard("count", "", "1/2");
  const std::string full = tmp("m_full.h5");
  ASSERT_EQ(run_airtp("mse " + kSweep + " -o " + full).code, 0);
  struct Case {
    std::string shards, names_file, problem;
  };
  const std::vector<Case> cases = {
      {s["a0"] + " " + s["a2"], "", "missing shard(s) 1 of 3"},
      {s["a0"] + " " + s["a1"] + " " + s["a1"] + " " + s["a2"], s["a1"], "duplicate of shard 1/3"},
      {s["a0"] + " " + s["a1"] + " " + s["snr"], s["snr"], "config fingerprint"},
      {s["a0"] + " " + s["a1"] + " " + s["seed"], s["seed"], "seed is 8"},
      {s["a0"] + " " + s["count"] + " " + s["a2"], s["count"], "shard count is 2"},
      {s["a0"] + " " + full, full, "not a shard file"},
      {s["a0"] + " " + tmp("absent.h5"), tmp("absent.h5"), "no such file"},
  };
  for (const Case& c : cases) {
    const std::string out = tmp("m_out.h5");
    const auto r = run_airtp("merge -q " + out + " " + c.shards);
    EXPECT_EQ(r.code, 2) << r.output;
    EXPECT_NE(r.output.find(c.problem), std::string::npos) << r.output;
    if (!c.names_file.empty()) {
      EXPECT_NE(r.output.find("'" + c.names_file + "'"), std::string::npos) << r.output;
    }
    EXPECT_FALSE(fs::exists(out)) << "a refused merge must not leave a result file";
  }
}

TEST(ShardMerge, PplShardsMergeToTheUnshardedFile) {
  // Units are (scheme, N, point) evaluations; shards take contiguous ranges of them, here
  // uneven (5 units in 3 pieces; 2 units in 3 pieces, one empty) and a single-run (flat) layout.
  struct Case {
    std::string tag, cfg;
    int pieces;
  };
  const std::vector<Case> cases = {{"sweep3", ppl_config("ppl_sweep.toml"), 3},
                                   {"flat3", ppl_config("ppl_flat.toml", "[\"aircomp\"]", "[3]"), 3}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.tag);
    const std::string full = tmp("ppl_" + c.tag + "_full.h5"), merged = tmp("ppl_" + c.tag + "_merged.h5");
    ASSERT_EQ(run_airtp("ppl -q " + c.cfg + " -o " + full).code, 0);
    std::string shards;
    for (int i = 0; i < c.pieces; ++i) {
      const std::string sh = tmp("ppl_" + c.tag + "_s" + std::to_string(i) + ".h5");
      const auto r = run_airtp("run " + c.cfg + " -q --shard " + std::to_string(i) + "/" + std::to_string(c.pieces) +
                               " -o " + sh);
      ASSERT_EQ(r.code, 0) << r.output;
      shards += " " + sh;
    }
    const auto r = run_airtp("merge -q " + merged + shards);
    ASSERT_EQ(r.code, 0) << r.output;
    expect_same_datasets(full, merged);
  }
  // A ppl shard and an mse shard are pieces of different runs.
  const std::string mse_shard = tmp("ppl_mse_shard.h5");
  ASSERT_EQ(run_airtp("mse " + kSweep + " --shard 1/3 -o " + mse_shard).code, 0);
  const std::string out = tmp("ppl_mixed.h5");
  const auto r = run_airtp("merge -q " + out + " " + tmp("ppl_sweep3_s0.h5") + " " + mse_shard);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("kind is 'mse'"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(out));
}

TEST(ShardMerge, CompareShardsMergeToTheUnshardedFile) {
  // Shards cut the realizations anywhere; the small paper config adds SDR and the lower bound
  // (4 realizations in 3 shards).
  const std::string sdr = tmp("cmp_sdr.toml");
  std::ofstream(sdr) << "command = \"compare\"\nrealizations = 4\nsolvers = [\"eigen\", \"sdr\"]\nlower_bound = true\n"
                        "[solver_options]\ndraws = 10\n[channel]\nn_devices = [2]\nn_rx = [6, 8]\nn_tx = 2\n";
  const std::vector<std::pair<std::string, std::string>> cases = {{"blocks", compare_config("cmp.toml")}, {"sdr", sdr}};
  for (const auto& [tag, cfg] : cases) {
    SCOPED_TRACE(tag);
    const std::string full = tmp("cmp_" + tag + "_full.h5"), merged = tmp("cmp_" + tag + "_merged.h5");
    ASSERT_EQ(run_airtp("compare -q " + cfg + " -o " + full).code, 0);
    std::string shards;
    for (int i = 0; i < 3; ++i) {
      const std::string sh = tmp("cmp_" + tag + "_s" + std::to_string(i) + ".h5");
      const auto r = run_airtp("run " + cfg + " -q --shard " + std::to_string(i) + "/3 -o " + sh);
      ASSERT_EQ(r.code, 0) << r.output;
      shards += " " + sh;
    }
    const auto r = run_airtp("merge -q " + merged + shards);
    ASSERT_EQ(r.code, 0) << r.output;
    expect_same_datasets(full, merged);
  }
}

namespace {

pid_t spawn_airtp(const std::vector<std::string>& args) {
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv{const_cast<char*>(AIRTP_BINARY)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(AIRTP_BINARY, argv.data());
    _exit(127);
  }
  return pid;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> v;
  std::istringstream in(s);
  for (std::string w; in >> w;) v.push_back(w);
  return v;
}

// Finished blocks in a checkpoint folder whose names start with one of `prefixes` (a block being
// written is a ".tmp." file and does not count).
int finished_blocks(const std::string& ckpt, const std::vector<std::string>& prefixes) {
  int n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(ckpt, ec)) {
    const std::string name = e.path().filename().string();
    if (name.find(".tmp.") != std::string::npos) continue;
    for (const std::string& p : prefixes)
      if (name.rfind(p, 0) == 0) {
        ++n;
        break;
      }
  }
  return n;
}

// Starts `airtp args`; once `ready()` holds (polled every millisecond) waits `delay_s` more and
// SIGKILLs it. Returns the wait status: a run that finishes first is left alone. Waiting for a
// condition, not a fixed time, keeps the kills meaningful however slow the machine (ASan, 2 cores).
int run_and_kill(const std::vector<std::string>& args, const std::function<bool()>& ready, double delay_s) {
  const pid_t pid = spawn_airtp(args);
  int st = 0;
  while (!ready()) {
    if (waitpid(pid, &st, WNOHANG) == pid) return st;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(delay_s));
  kill(pid, SIGKILL);
  waitpid(pid, &st, 0);
  return st;
}

// When the kill of one attempt comes: once `ready()` holds, after `delay_s` more seconds.
struct KillAt {
  std::function<bool()> ready;
  double delay_s = 0;
};

// One trial of a kill -9 / --resume test: starts afresh, runs `airtp <command> -o out` and kills
// it at `kill_at(attempt)` for attempts 0 .. kills-1 (each later run adds --resume), then lets a
// run finish. Checks that a killed run leaves either no result or a complete one, and that the
// end result equals `ref` with the checkpoint gone. Returns the kills after which finished
// blocks named by `prefixes` were on disk (a test whose kills never left any proved nothing).
int kill_and_resume_trial(const std::string& command, const std::string& out, const std::string& ref,
                          const std::vector<std::string>& prefixes, int kills,
                          const std::function<KillAt(int attempt)>& kill_at) {
  fs::remove(out);
  fs::remove_all(out + ".ckpt");
  int after_progress = 0;
  for (int attempt = 0;; ++attempt) {
    if (attempt >= 40) {
      ADD_FAILURE() << "resume makes no progress";
      return after_progress;
    }
    std::vector<std::string> args = split(command + " -o " + out);
    if (attempt > 0) args.push_back("--resume");
    int st = 0;
    if (attempt < kills) {
      const KillAt k = kill_at(attempt);
      st = run_and_kill(args, k.ready, k.delay_s);
    } else {
      waitpid(spawn_airtp(args), &st, 0);
    }
    if (WIFSIGNALED(st)) {
      if (fs::exists(out)) expect_same_datasets(ref, out);  // killed after the rename: complete
      if (finished_blocks(out + ".ckpt", prefixes) > 0) ++after_progress;
      continue;
    }
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "status " << st;
    break;
  }
  expect_same_datasets(ref, out);
  EXPECT_FALSE(fs::exists(out + ".ckpt"));
  return after_progress;
}

const auto kAnytime = [] { return true; };
const std::vector<std::string> kPplBlocks = {"exact_", "aircomp_", "digital_"};

}  // namespace

TEST(Resume, SigkillAtRandomMomentsThenResumeEqualsUninterruptedRun) {
  // 16 points (about 10 ms each here) so that kills land between, and inside, blocks.
  const std::string sweep = "-q --realizations 400 -N 1,2,3,4 --n-rx 12 --k-db 0,3,6,9 --snr-db 0,10 --seed 11 --solver eigen";
  const std::string ref = tmp("resume_ref.h5"), out = tmp("resume.h5");
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(run_airtp("mse " + sweep + " -o " + ref).code, 0);
  const double full_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_FALSE(fs::exists(ref + ".ckpt")) << "a finished run removes its checkpoint";
  std::random_device rd;
  const unsigned seed = rd();
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> when(0.0, full_s);
  SCOPED_TRACE("kill-time seed " + std::to_string(seed));
  int kills_after_progress = 0;  // kills that left finished blocks for the resume to load
  for (int trial = 0; trial < 3; ++trial) {
    kills_after_progress += kill_and_resume_trial("mse " + sweep, out, ref, {"aircomp_"}, 4, [&](int attempt) {
      // One kill certainly after a finished block, at a random moment inside a later one.
      if (trial == 0 && attempt == 0)
        return KillAt{[&] { return finished_blocks(out + ".ckpt", {"aircomp_"}) > 0; }, 0.2 * when(gen)};
      return KillAt{kAnytime, when(gen)};
    });
    for (const auto& e : fs::directory_iterator(tmpdir()))
      EXPECT_EQ(e.path().filename().string().find(".resume.h5.tmp-"), std::string::npos)
          << "killed runs' temporaries are cleaned up on resume: " << e.path();
  }
  EXPECT_GT(kills_after_progress, 0) << "no kill landed after some blocks were done: the test proved nothing";
}

TEST(Resume, EverySchemeKilledAndResumedEqualsUninterruptedRun) {
  // FDMA, digital and a second AirComp solver checkpoint their own blocks (keys named by
  // their samples); a run killed between or inside them resumes to the same file.
  const std::string sweep = "-q --realizations 300 -N 1,2,3,4 --n-rx 8 --n-tx 2 --k-db 0,6 --snr-db 0,10 --seed 5 --solver eigen" + kSchemes;
  const std::string ref = tmp("resume_s_ref.h5"), out = tmp("resume_s.h5");
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(run_airtp("mse " + sweep + " -o " + ref).code, 0);
  const double full_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::random_device rd;
  const unsigned seed = rd();
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> when(0.0, 0.5 * full_s);
  SCOPED_TRACE("kill-time seed " + std::to_string(seed));
  const std::vector<std::string> scheme_blocks = {"fdma_", "digital_", "aircomp_random_"};
  int seen = 0;  // kills that left a scheme's finished block for the resume to load
  // A run that finishes before its first kill proves nothing; start afresh (rare, bounded).
  for (int trial = 0; trial < 5 && seen == 0; ++trial)
    seen += kill_and_resume_trial("mse " + sweep, out, ref, scheme_blocks, 3, [&](int attempt) {
      // First kill once a scheme block is on disk, at a random moment after it.
      if (attempt == 0) return KillAt{[&] { return finished_blocks(out + ".ckpt", scheme_blocks) > 0; }, 0.2 * when(gen)};
      return KillAt{kAnytime, when(gen)};
    });
  EXPECT_GT(seen, 0) << "no kill found a scheme's checkpoint block: the test proved nothing";
}

TEST(Resume, PplKilledAfterFinishedUnitsResumesToTheSameFile) {
  const std::string cfg = ppl_config("ppl_resume.toml");
  const std::string ref = tmp("ppl_resume_ref.h5"), out = tmp("ppl_resume.h5");
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(run_airtp("ppl -q " + cfg + " -o " + ref).code, 0);
  const double full_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_FALSE(fs::exists(ref + ".ckpt")) << "a finished run removes its checkpoint";
  std::random_device rd;
  const unsigned seed = rd();
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> when(0.0, 0.3 * full_s);
  SCOPED_TRACE("kill-time seed " + std::to_string(seed));
  int seen = 0;
  for (int trial = 0; trial < 5 && seen == 0; ++trial)
    seen += kill_and_resume_trial("ppl -q " + cfg, out, ref, kPplBlocks, 3, [&](int attempt) {
      // Kill once `attempt + 1` (job, point) blocks are on disk, at a random moment inside the next one.
      return KillAt{[&, attempt] { return finished_blocks(out + ".ckpt", kPplBlocks) > attempt; }, when(gen)};
    });
  EXPECT_GT(seen, 0) << "no kill landed after a finished unit: the test proved nothing";
}

TEST(Resume, CompareKilledAfterFinishedBlocksResumesToTheSameFile) {
  const std::string cfg = compare_config("cmp_resume.toml");
  const std::string ref = tmp("cmp_resume_ref.h5"), out = tmp("cmp_resume.h5");
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(run_airtp("compare -q " + cfg + " -o " + ref).code, 0);
  const double full_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::random_device rd;
  const unsigned seed = rd();
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> when(0.0, 0.2 * full_s);
  SCOPED_TRACE("kill-time seed " + std::to_string(seed));
  int seen = 0;
  for (int trial = 0; trial < 5 && seen == 0; ++trial)
    seen += kill_and_resume_trial("compare -q " + cfg, out, ref, {"solver"}, 3, [&](int) {
      // Kill once more blocks (one per solver and point) are on disk than before this attempt.
      const int before = finished_blocks(out + ".ckpt", {"solver"});
      return KillAt{[&, before] { return finished_blocks(out + ".ckpt", {"solver"}) > before; }, when(gen)};
    });
  EXPECT_GT(seen, 0) << "no kill landed after a finished block: the test proved nothing";
}

TEST(Resume, AssignKilledAfterIterationsResumesToTheSameFile) {
  // SSCA checkpoints every finished iteration (its steps, averages, m and validation levels);
  // a resumed run replays them and continues to the same trace, baselines and split.
  const std::string cfg = tmp("assign_resume.toml");
  std::ofstream(cfg) << "command = \"assign\"\nsolver = \"fast\"\n[solver_options]\nfast_iters = 10\n"
                        "[ssca]\niterations = 30\nbatch = 64\nvalidation = 128\n";
  const std::string ref = tmp("assign_resume_ref.h5"), out = tmp("assign_resume.h5");
  ASSERT_EQ(run_airtp("assign -q " + cfg + " -o " + ref).code, 0);
  EXPECT_FALSE(fs::exists(ref + ".ckpt")) << "a finished run removes its checkpoint";
  std::random_device rd;
  const unsigned seed = rd();
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> more(1, 8);  // iterations (of 30) to let finish before each kill
  SCOPED_TRACE("kill seed " + std::to_string(seed));
  int seen = 0;
  for (int trial = 0; trial < 5 && seen == 0; ++trial)
    seen += kill_and_resume_trial("assign -q " + cfg, out, ref, {"it"}, 3, [&](int) {
      const int target = finished_blocks(out + ".ckpt", {"it"}) + more(gen);
      return KillAt{[&, target] { return finished_blocks(out + ".ckpt", {"it"}) >= target; }, 0.0};
    });
  EXPECT_GT(seen, 0) << "no kill landed after a finished iteration: the test proved nothing";
}

TEST(Resume, RefusesTheCheckpointOfAnotherConfig) {
  const std::string out = tmp("other.h5");
  fs::create_directories(out + ".ckpt");
  std::ofstream(out + ".ckpt/run") << "mse config 0000000000000000 shard 0/1 result backend cpu";
  const auto r = run_airtp("mse " + kSweep + " --resume -o " + out);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("belongs to a different run"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--fresh"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(out));
  // Without --resume a checkpoint holding no finished block has nothing to lose: the run
  // starts afresh and completes.
  EXPECT_EQ(run_airtp("mse " + kSweep + " -o " + out).code, 0);
  EXPECT_TRUE(fs::exists(out));
  EXPECT_FALSE(fs::exists(out + ".ckpt"));
  // A folder of that name that airtp did not make is left alone.
  const std::string other = tmp("foreign.h5");
  fs::create_directories(other + ".ckpt");
  const auto f = run_airtp("mse " + kSweep + " -o " + other);
  EXPECT_EQ(f.code, 2) << f.output;
  EXPECT_NE(f.output.find("was not made by airtp"), std::string::npos) << f.output;
}

namespace {
// Runs `args` and kills it with SIGKILL once a finished block with one of the prefixes is in
// its checkpoint; returns false when the run finished first.
bool kill_after_a_block(const std::string& args, const std::string& out, const std::vector<std::string>& prefixes) {
  const int st = run_and_kill(split(args + " -o " + out), [&] { return finished_blocks(out + ".ckpt", prefixes) > 0; }, 0.0);
  return WIFSIGNALED(st);
}
}  // namespace

// A run without --resume that finds a checkpoint with finished blocks stops (exit 2) and
// says what to do; --fresh discards it and gives the uninterrupted file; --resume and --fresh
// together are refused.
TEST(Resume, ACheckpointNeedsResumeOrFresh) {
  // No worker processes here (see AKilledSdrRunReleasesItsLock): two points of the
  // fast solver, one block each.
  const std::string args = "mse -q -N 2,4 --n-rx 12 -R 2000 --seed 3";
  const std::string ref = tmp("fresh_ref.h5"), out = tmp("fresh.h5");
  ASSERT_EQ(run_airtp(args + " -o " + ref).code, 0);
  bool killed = false;
  for (int trial = 0; trial < 5 && !killed; ++trial) {
    fs::remove(out);
    fs::remove_all(out + ".ckpt");
    killed = kill_after_a_block(args, out, {"aircomp_"});
  }
  ASSERT_TRUE(killed) << "the run finished before a kill";
  ASSERT_FALSE(fs::exists(out));
  auto r = run_airtp(args + " -o " + out);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("an interrupted run left a checkpoint"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("pass --resume to continue it, or --fresh to discard it"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::exists(out + ".ckpt")) << "refusing must not discard the checkpoint";
  EXPECT_FALSE(fs::exists(out));
  r = run_airtp(args + " --resume --fresh -o " + out);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("--resume and --fresh"), std::string::npos) << r.output;
  r = run_airtp(args + " --fresh -o " + out);
  ASSERT_EQ(r.code, 0) << r.output;
  expect_same_datasets(ref, out);
  EXPECT_FALSE(fs::exists(out + ".ckpt"));
}

// Two live runs on one output: the second is refused (exit 2) naming the first's pid, and the
// first is not disturbed; once the first is gone (even by SIGKILL) the kernel has released its
// lock and the output is free again.
TEST(Resume, ASecondLiveRunOnTheSameOutputIsRefused) {
  const std::string args = "mse -q -N 8 -R 400000 --seed 4";
  const std::string out = tmp("busy.h5");
  fs::remove(out);
  fs::remove_all(out + ".ckpt");
  const pid_t first = spawn_airtp(split(args + " -o " + out));
  // Wait for the first run's lock (its pid written into OUTPUT.ckpt/lock).
  std::string pid;
  for (int i = 0; i < 20000 && pid.empty(); ++i) {
    std::ifstream in(out + ".ckpt/lock");
    std::getline(in, pid);
    if (pid.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(pid, std::to_string(first));
  for (const char* extra : {"", " --resume", " --fresh"}) {
    const auto r = run_airtp(args + extra + " -o " + out);
    EXPECT_EQ(r.code, 2) << extra << "\n" << r.output;
    EXPECT_NE(r.output.find("another airtp run (pid " + pid + ") is writing it right now"), std::string::npos)
        << extra << "\n" << r.output;
  }
  int st = 0;
  EXPECT_EQ(waitpid(first, &st, WNOHANG), 0) << "the first run is still running";
  kill(first, SIGKILL);
  waitpid(first, &st, 0);
  const auto again = run_airtp("mse -q -N 2 -R 10 --solver eigen --fresh -o " + out);
  EXPECT_EQ(again.code, 0) << again.output;
  EXPECT_FALSE(fs::exists(out + ".ckpt"));
}

// The SDR (and lower-bound) worker processes end with a killed parent (PR_SET_PDEATHSIG) and
// hold none of its descriptors: the checkpoint lock is free for the next run at once. (Once
// they went on computing, re-parented to init, holding the lock, and `--resume` was refused
// with "another airtp run (pid <the dead pid>) is writing it right now".)
TEST(Resume, AKilledSdrRunReleasesItsLock) {
  const std::string args = "compare -q -N 4 --n-rx 16 -R 400 --solvers sdr --draws 50 --seed 4";
  const std::string out = tmp("sdr_lock.h5");
  fs::remove(out);
  fs::remove_all(out + ".ckpt");
  const pid_t first = spawn_airtp(split(args + " -o " + out));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  kill(first, SIGKILL);
  int st = 0;
  waitpid(first, &st, 0);
  const auto again = run_airtp("compare -q -N 2 --n-rx 8 --n-tx 2 -R 2 --solvers eigen --fresh -o " + out);
  EXPECT_EQ(again.code, 0) << again.output;
  EXPECT_EQ(again.output.find("another airtp run"), std::string::npos) << again.output;
}

TEST(Run, DispatchesOnTheConfigsCommand) {
  const std::string cfg = tmp("run.toml");
  std::ofstream(cfg) << "command = \"mse\"\nseed = 7\nrealizations = 301\nsolver = \"eigen\"\n[channel]\n"
                        "n_devices = [1, 2, 3]\nn_rx = 8\nn_tx = 2\nk_db = [0, 6]\n[noise]\nsnr_db = [0, 10]\n";
  const std::string a = tmp("run_a.h5"), b = tmp("run_b.h5");
  ASSERT_EQ(run_airtp("mse -q -o " + a + " " + cfg).code, 0);
  const auto r = run_airtp("run " + cfg + " -q -o " + b);
  ASSERT_EQ(r.code, 0) << r.output;
  expect_same_datasets(a, b);
  // Flags pass through: a shard via `airtp run` equals one via `airtp mse`.
  ASSERT_EQ(run_airtp("mse -q --shard 1/2 -o " + a + " " + cfg).code, 0);
  ASSERT_EQ(run_airtp("run " + cfg + " -q --shard 1/2 -o " + b).code, 0);
  expect_same_datasets(a, b);

  const std::string unknown = tmp("ppl.toml"), none = tmp("none.toml");
  std::ofstream(unknown) << "command = \"nosuch\"\n";
  std::ofstream(none) << "seed = 1\n";
  auto r2 = run_airtp("run " + unknown);
  EXPECT_EQ(r2.code, 2);
  EXPECT_NE(r2.output.find("'nosuch' is not a command"), std::string::npos) << r2.output;
  EXPECT_NE(r2.output.find("mse"), std::string::npos) << "lists the known commands: " << r2.output;
  r2 = run_airtp("run " + none);
  EXPECT_EQ(r2.code, 2);
  EXPECT_NE(r2.output.find("command: missing"), std::string::npos) << r2.output;
  r2 = run_airtp("run " + cfg + " --no-such-flag");
  EXPECT_EQ(r2.code, 2);
  EXPECT_NE(r2.output.find("--no-such-flag"), std::string::npos) << r2.output;
}
