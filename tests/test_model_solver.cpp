// One solver dispatch for the accuracy simulation: `airtp ppl` and `airtp generate` design
// every link with the solver named (eigen, random, fast or sdr), the one the other commands
// use on the same channels. The fast solver's lower alpha shows up as a lower measured
// all-reduce NMSE and KL than the eigen design on the same channels, noise and text.
#include <gtest/gtest.h>
#include <H5Cpp.h>

#include <filesystem>
#include <map>

#include "host/model/ppl_eval.hpp"
#include "host/model/tokenizer.hpp"
#include "host/scenario/scenario.hpp"
#include "host/solvers/solve.hpp"
#include "tests/cli_runner.hpp"
#include "tests/h5_util.hpp"
#include "tests/model_paths.hpp"

using airtp::test::run_airtp;
namespace fs = std::filesystem;

namespace {

fs::path dir() { return airtp::test::scratch_dir("msolver"); }

double first_value(const std::string& path, const std::string& name) { return airtp::test::read_doubles(path, name).at(0); }

}  // namespace

TEST(ModelSolver, FastDesignLowersNmseAndKlAgainstEigen) {
  const std::string common = "ppl -q -N 4 --schemes aircomp --snr-db 20 -R 2 --max-stories 4 --seed 3 ";
  const std::string e = (dir() / "eigen.h5").string(), f = (dir() / "fast.h5").string();
  auto re = run_airtp(common + "--solver eigen -o " + e);
  ASSERT_EQ(re.code, 0) << re.output;
  auto rf = run_airtp(common + "--solver fast -o " + f);
  ASSERT_EQ(rf.code, 0) << rf.output;
  EXPECT_LT(first_value(f, "ppl/nmse"), 0.5 * first_value(e, "ppl/nmse"));
  EXPECT_LT(first_value(f, "ppl/kl"), first_value(e, "ppl/kl"));
  EXPECT_LT(first_value(f, "ppl/mean_alpha"), first_value(e, "ppl/mean_alpha"));
  EXPECT_EQ(airtp::test::read_strings(f, "ppl/curve"), std::vector<std::string>{"aircomp (fast)"});
}

// Every solver drives the accuracy simulation (sdr on a tiny case: N = 2, N_r = 4, N_t = 1):
// the file's mean alpha is the mean over the story's token positions of what the solver gives
// on those channels through solve_alpha_batch, realization r position p being channel
// r x seq_len + p.
TEST(ModelSolver, PplUsesTheNamedSolverOnTheScenariosChannels) {
  const int N = 2, R = 1, seq_len = 512;
  airtp::Scenario s;
  s.seed = 5;
  s.n_devices = {N};
  s.n_rx = {4};
  s.n_tx = {1};
  s.snr_db = {30};
  const airtp::Link link = airtp::make_link(s, airtp::link_points(s).at(0));
  const airtp::Tokenizer tok = airtp::Tokenizer::load_llama2c(airtp::model_test::tokenizer_path(), 512);
  const int len = (int)airtp::load_story_tokens(airtp::model_test::tinystories_path(), tok, seq_len, 1).at(0).size();
  airtp::SolverOptions o;
  o.draws = 10;
  for (const char* solver : {"eigen", "random", "fast", "sdr"}) {
    SCOPED_TRACE(solver);
    const std::string out = (dir() / (std::string(solver) + ".h5")).string();
    const auto r = run_airtp("ppl -q -N 2 --n-rx 4 --n-tx 1 --schemes aircomp --snr-db 30 -R 1 --max-stories 1 --seed 5 "
                             "--draws 10 --solver " + std::string(solver) + " -o " + out);
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_EQ(airtp::test::read_strings(out, "ppl/curve"), std::vector<std::string>{"aircomp (" + std::string(solver) + ")"});
    std::vector<double> a((size_t)len);
    airtp::solve_alpha_batch(airtp::Backend::cpu, airtp::alpha_params(link, 0), airtp::parse_solver(solver), o, 0, len,
                             a.data());
    double sum = 0;
    int finite = 0;
    for (double x : a)
      if (std::isfinite(x)) sum += x, ++finite;
    ASSERT_GT(finite, 0);
    const double want = sum / finite;
    EXPECT_NEAR(first_value(out, "ppl/mean_alpha"), want, 1e-9 * want);
    EXPECT_EQ(first_value(out, "ppl/outage_fraction"), 1.0 - (double)finite / len);
    EXPECT_EQ(airtp::test::read_ints(out, "ppl/realizations"), std::vector<int64_t>{R});
    EXPECT_GT(first_value(out, "ppl/ppl"), 1.0);
  }
}

// `airtp generate` takes the same solver: at 80 dB every design reproduces the exact
// all-reduce's text; at 0 dB the designs' noise differs, and so does the text.
TEST(ModelSolver, GenerateRunsWithEverySolver) {
  const std::string common = "generate -N 2 --n-rx 4 --n-tx 1 --steps 12 --draws 10 --seed 2 ";
  const auto exact = run_airtp(common + "--schemes exact");
  ASSERT_EQ(exact.code, 0) << exact.output;
  ASSERT_NE(exact.output.find("Once upon a time"), std::string::npos) << exact.output;
  std::map<std::string, std::string> low;
  for (const char* solver : {"eigen", "random", "fast", "sdr"}) {
    SCOPED_TRACE(solver);
    const auto hi = run_airtp(common + "--schemes aircomp --snr-db 80 --solver " + std::string(solver));
    ASSERT_EQ(hi.code, 0) << hi.output;
    EXPECT_EQ(hi.output, exact.output);
    const auto lo = run_airtp(common + "--schemes aircomp:" + std::string(solver) + " --snr-db 0");
    ASSERT_EQ(lo.code, 0) << lo.output;
    low[solver] = lo.output;
  }
  EXPECT_NE(low["random"], low["fast"]);
  EXPECT_NE(low["random"], exact.output);
}
