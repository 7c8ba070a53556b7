// One table of fields per command (host/config/fields.hpp): a TOML key and its flag set the
// same thing, flags override the file, unknown keys are refused with a hint, values are
// checked by the same rules from TOML and from flags (bounds, NaN/Inf, integer overflow,
// seeds 0 ... 2^64 - 1), the resolved TOML reads back to itself for every command, and --help
// shows every field's unit, config key and default.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "host/assign/assign.hpp"
#include "host/common/errors.hpp"
#include "host/config/fields.hpp"
#include "host/latency/latency_run.hpp"
#include "host/model/ppl_run.hpp"
#include "host/solvers/compare.hpp"
#include "host/sweep/mse.hpp"
#include "tests/cli_runner.hpp"
#include "tests/h5_util.hpp"

using namespace airtp;
namespace fs = std::filesystem;

namespace {

// A command's configuration and its field table, bound together (the table points into it).
struct Bound {
  explicit Bound(const std::string& command) : t(command) {}
  virtual ~Bound() = default;
  FieldTable t;
};
template <class Config, void (*Add)(FieldTable&, Config&)>
struct BoundTo : Bound {
  explicit BoundTo(const std::string& command) : Bound(command) { Add(t, c); }
  Config c;
};

struct Command {
  std::string name;
  std::function<std::unique_ptr<Bound>()> make;
};

const std::vector<Command>& commands() {
  static const std::vector<Command> c = {
      {"mse", [] { return std::make_unique<BoundTo<MseConfig, add_mse_fields>>("mse"); }},
      {"compare", [] { return std::make_unique<BoundTo<CompareConfig, add_compare_fields>>("compare"); }},
      {"assign", [] { return std::make_unique<BoundTo<AssignConfig, add_assign_fields>>("assign"); }},
      {"latency", [] { return std::make_unique<BoundTo<LatencyConfig, add_latency_fields>>("latency"); }},
      {"ppl", [] { return std::make_unique<BoundTo<PplConfig, add_ppl_fields>>("ppl"); }},
  };
  return c;
}

std::unique_ptr<Bound> make(const std::string& command) {
  for (const Command& c : commands())
    if (c.name == command) return c.make();
  throw std::logic_error("no command " + command);
}

// Reads `toml` (when not empty) and then the flags, as every command does; returns the resolved TOML.
std::string resolve(Bound& b, const std::string& toml, const std::vector<std::string>& flags) {
  if (!toml.empty()) b.t.read_text(toml, "test");
  CLI::App app;
  b.t.add_flags(app);
  app.parse(std::vector<std::string>(flags.rbegin(), flags.rend()));  // CLI11 takes them reversed
  b.t.apply_flags();
  return b.t.to_toml();
}
std::string resolve(const std::string& command, const std::string& toml, const std::vector<std::string>& flags) {
  const auto b = make(command);
  return resolve(*b, toml, flags);
}

// The InputError message of resolving, or "" when it is accepted.
std::string error_of(const std::string& command, const std::string& toml, const std::vector<std::string>& flags) {
  try {
    resolve(command, toml, flags);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

struct Same {
  std::string command, toml;
  std::vector<std::string> flags;
};

}  // namespace

// The key in a file and the flag on the command line set the same value: the resolved TOML
// is the same, and differs from the defaults.
TEST(Fields, AKeyAndItsFlagSetTheSameThing) {
  const std::vector<Same> cases = {
      {"mse", "seed = 42\n", {"--seed", "42"}},
      {"mse", "realizations = 123\n", {"-R", "123"}},
      {"mse", "target_rse = 0.01\nmin_realizations = 50\n", {"--target-rse", "0.01", "--min-realizations", "50"}},
      {"mse", "devices = \"2*phone+laptop\"\n", {"--devices", "2*phone+laptop"}},
      {"mse", "m = [0.25, 0.75]\n", {"--m", "0.25,0.75"}},
      {"mse", "m = [[0.5, 0.5], \"uniform\", \"compute\"]\n", {"--m", "0.5,0.5;uniform;compute"}},
      {"mse", "model = \"llama2-7b\"\ntokens_per_step = 4\n", {"--model", "llama2-7b", "--tokens-per-step", "4"}},
      {"mse", "[channel]\nn_devices = [2, 3]\n", {"-N", "2,3"}},
      {"mse", "[channel]\nn_devices = [5]\n", {"--n-devices", "5"}},
      {"mse", "[channel]\nn_rx = [8, 12]\nn_tx = [2]\nstreams = [1, 2]\n", {"--n-rx", "8,12", "--n-tx", "2", "--streams", "1,2"}},
      {"mse", "[channel]\nn_rx = [8]\n", {"--nr", "8"}},  // an old spelling
      {"mse", "[channel]\nk_db = [-inf, 3.5]\n", {"--k-db", "-inf,3.5"}},
      {"mse", "[channel]\nk_db = [-inf]\n", {"--k-db", "rayleigh"}},
      {"mse", "[channel]\ncsi_nmse = [0.0, 0.1]\n", {"--csi-nmse", "0,0.1"}},
      {"mse", "[channel]\nangle_max_deg = 30.0\ndistance_min_m = 5.0\n", {"--angle-max-deg", "30", "--distance-min-m", "5"}},
      {"mse", "[noise]\nmode = \"physical\"\ntx_power_dbm = [10.0, 20.0]\n", {"--noise-mode", "physical", "--tx-power-dbm", "10,20"}},
      {"mse", "[noise]\nsnr_db = [0.0, 5.0, 10.0]\n", {"--snr-db", "0:10:5"}},
      {"mse", "[noise]\nsnr_db = [0.5]\nbandwidth_hz = 2e6\n", {"--snr", "0.5", "--bandwidth-hz", "2000000"}},
      {"mse", "solver = \"eigen\"\n[solver_options]\ndraws = 7\n", {"--solver", "eigen", "--draws", "7"}},
      {"mse", "schemes = [\"aircomp\", \"fdma:eigen\"]\n[digital]\nbits = [4, 6]\n",
       {"--schemes", "aircomp,fdma:eigen", "--bits", "4,6"}},
      {"mse", "[output]\npercentiles = [10.0, 90.0]\n", {"--percentiles", "10,90"}},
      {"mse", "backend = \"cpu\"\n", {"--backend", "cpu"}},
      {"compare", "solvers = [\"eigen\", \"sdr\"]\nsave_channels = true\n", {"--solvers", "eigen,sdr", "--save-channels"}},
      {"compare", "[solver_options]\nfast_starts = 3\nfast_iters = 5\n", {"--fast-starts", "3", "--fast-iters", "5"}},
      {"assign", "[ssca]\niterations = 7\nbatch = 16\nm0 = [0.5, 0.5]\n", {"--iterations", "7", "--batch", "16", "--m0", "0.5,0.5"}},
      {"assign", "[ssca]\ncurvature = 2.5\nsmooth_p = 0.0\n", {"--curvature", "2.5", "--smooth-p", "0"}},
      {"latency", "model = [\"llama2-7b\", \"llama3-8b\"]\n", {"--model", "llama2-7b,llama3-8b"}},
      {"latency", "model = [\"llama2-7b\"]\n", {"--models", "llama2-7b"}},
      {"latency", "[noise]\nbandwidth_hz = [1e6, 2e6]\n", {"--bandwidth-hz", "1e6,2e6"}},
      {"latency", "[digital]\nbits = [4]\n", {"--quant-bits", "4"}},
      {"latency", "context_len = 128\n[downlink]\nrate_bps = 1e8\n", {"--context-len", "128", "--downlink-rate-bps", "1e8"}},
      {"ppl", "schemes = [\"exact\"]\n", {"--scheme", "exact"}},
      {"ppl", "max_stories = 3\ntext = \"x.txt\"\n", {"--max-stories", "3", "--text", "x.txt"}},
      {"ppl", "save_channels = true\n[channel]\ncoherence = \"allreduce\"\n[noise]\ndraw = \"projected\"\n",
       {"--save-channels", "--coherence", "allreduce", "--noise-draw", "projected"}},
  };
  for (const Same& c : cases) {
    SCOPED_TRACE(c.command + ": " + c.toml);
    const std::string from_file = resolve(c.command, c.toml, {}), from_flags = resolve(c.command, "", c.flags);
    EXPECT_EQ(from_file, from_flags);
    EXPECT_NE(from_file, resolve(c.command, "", {})) << "the value must differ from the default";
  }
}

// Every flag parses the text its own --help shows as the default, to the same configuration.
TEST(Fields, EveryFlagAcceptsItsDefault) {
  for (const Command& cmd : commands()) {
    const auto probe = cmd.make();
    CLI::App app;
    probe->t.add_flags(app);  // fills default_text
    const std::string defaults = probe->t.to_toml();
    int checked = 0;
    for (const Field& f : probe->t.fields()) {
      if (f.flag.empty() || f.flag_only || std::holds_alternative<bool*>(f.target) || f.default_text.empty()) continue;
      SCOPED_TRACE(cmd.name + " " + f.flag + " " + f.default_text);
      EXPECT_EQ(resolve(cmd.name, "", {f.flag, f.default_text}), defaults);
      ++checked;
    }
    EXPECT_GT(checked, 15) << cmd.name;
  }
}

TEST(Fields, FlagsOverrideTheFile) {
  const auto b = make("mse");
  const std::string toml = resolve(*b, "seed = 3\nrealizations = 10\n[channel]\nn_rx = [8]\n", {"--n-rx", "12", "-R", "20"});
  EXPECT_NE(toml.find("seed = 3\n"), std::string::npos) << toml;
  EXPECT_NE(toml.find("n_rx = [12]\n"), std::string::npos) << toml;
  EXPECT_NE(toml.find("realizations = 20\n"), std::string::npos) << toml;
  EXPECT_TRUE(b->t.given("seed"));
  EXPECT_FALSE(b->t.flag_given("seed"));
  EXPECT_TRUE(b->t.flag_given("channel.n_rx"));
  EXPECT_FALSE(b->t.given("channel.n_tx"));
  // A flag given twice (also through an old spelling) is refused.
  EXPECT_NE(error_of("mse", "", {"--n-rx", "8", "--nr", "12"}).find("channel.n_rx (--n-rx): given more than once"),
            std::string::npos);
}

TEST(Fields, UnknownKeysAreRefusedWithAHint) {
  EXPECT_EQ(error_of("mse", "[channel]\nn_rxx = 4\n", {}),
            "config 'test': unknown field 'channel.n_rxx' (did you mean 'channel.n_rx'?)");
  EXPECT_EQ(error_of("mse", "sed = 1\n", {}), "config 'test': unknown field 'sed' (did you mean 'seed'?)");
  EXPECT_EQ(error_of("ppl", "[noise]\ndraws = \"literal\"\n", {}),
            "config 'test': unknown field 'noise.draws' (did you mean 'noise.draw'?)");
  EXPECT_EQ(error_of("mse", "zzzzzzzzzz = 1\n", {}), "config 'test': unknown field 'zzzzzzzzzz'");
  // A key of another command is unknown here.
  EXPECT_NE(error_of("mse", "max_stories = 3\n", {}).find("unknown field 'max_stories'"), std::string::npos);
  // A section given as a value, and a value given as a section.
  EXPECT_NE(error_of("mse", "channel = 3\n", {}).find("unknown field 'channel'"), std::string::npos);
  EXPECT_NE(error_of("mse", "[seed]\nx = 1\n", {}).find("seed (--seed): must be a whole number"), std::string::npos);
  // The config of another command.
  EXPECT_EQ(error_of("mse", "command = \"ppl\"\n", {}), "config 'test': field 'command' is 'ppl', expected 'mse'");
}

namespace {
struct Rule {
  std::string command, toml;
  std::vector<std::string> flags;
  std::string both;  // what both messages contain (the field, and the rule where it is the same)
};
}  // namespace

// Bad values are refused from TOML and from flags alike, each message naming "key (--flag)".
TEST(Fields, TheSameRulesFromTomlAndFromFlags) {
  const std::vector<Rule> bad = {
      {"mse", "[channel]\nn_rx = 0\n", {"--n-rx", "0"}, "channel.n_rx (--n-rx): each value must be between 1 and 128 antennas, got 0"},
      {"mse", "[channel]\nn_rx = [8, 129]\n", {"--n-rx", "8,129"}, "channel.n_rx (--n-rx): each value must be between 1 and 128"},
      {"mse", "[noise]\nsnr_db = nan\n", {"--snr-db", "nan"}, "noise.snr_db (--snr-db): must be a number, got nan"},
      {"mse", "[noise]\nsnr_db = [0.0, inf]\n", {"--snr-db", "0,inf"}, "noise.snr_db (--snr-db): each value must be finite, got inf"},
      {"mse", "[noise]\nsnr_db = -inf\n", {"--snr-db", "-inf"}, "noise.snr_db (--snr-db): each value must be finite, got -inf"},
      {"mse", "[noise]\nbandwidth_hz = inf\n", {"--bandwidth-hz", "inf"}, "noise.bandwidth_hz (--bandwidth-hz): must be finite, got inf"},
      {"mse", "[channel]\nk_db = 61\n", {"--k-db", "61"}, "channel.k_db (--k-db): each value must be between"},
      {"mse", "[channel]\nn_rx = 2.5\n", {"--n-rx", "2.5"}, "channel.n_rx (--n-rx)"},
      {"mse", "[channel]\nn_rx = 3000000000\n", {"--n-rx", "3000000000"}, "channel.n_rx (--n-rx)"},
      {"mse", "[digital]\nblock = 2147483648\n", {"--block", "2147483648"}, "digital.block (--block)"},
      {"mse", "realizations = 9223372036854775807\n", {"-R", "9223372036854775807"}, "realizations (--realizations)"},
      {"mse", "realizations = 1e20\n", {"-R", "1e20"}, "realizations (--realizations)"},
      {"mse", "realizations = 17179869185\n", {"-R", "17179869185"}, "realizations (--realizations): must be between 1 and 17179869184"},
      {"mse", "target_rse = 2\n", {"--target-rse", "2"}, "target_rse (--target-rse): must be between 0 and 1, got 2"},
      {"mse", "seed = -1\n", {"--seed", "-1"}, "seed (--seed)"},
      {"mse", "seed = \"18446744073709551616\"\n", {"--seed", "18446744073709551616"}, "seed (--seed): '18446744073709551616' is larger than 2^64 - 1"},
      {"mse", "seed = 1.5\n", {"--seed", "1.5"}, "seed (--seed)"},
      {"mse", "[channel]\nn_devices = [2, 2]\n", {"-N", "2,2"}, "channel.n_devices (--n-devices): lists 2 twice"},
      {"mse", "schemes = []\n", {"--schemes", ""}, "schemes (--schemes): must not be an empty list"},
      {"mse", "solver = \"sdp\"\n", {"--solver", "sdp"}, "solver (--solver): must be one of eigen, random, fast, sdr, got 'sdp'"},
      {"mse", "[output]\npercentiles = [101.0]\n", {"--percentiles", "101"}, "output.percentiles (--percentiles): each value must be between 0 and 100 %"},
      {"ppl", "max_stories = -1\n", {"--max-stories", "-1"}, "max_stories (--max-stories): must be between 0 and"},
      {"assign", "[ssca]\nrho_exp = 0.4\n", {"--rho-exp", "0.4"}, "ssca.rho_exp (--rho-exp): must be between 0.5 and 1, got 0.4"},
      {"latency", "context_len = 99999999999\n", {"--context-len", "99999999999"}, "context_len (--context-len): must be between 0 and"},
  };
  for (const Rule& r : bad) {
    SCOPED_TRACE(r.command + ": " + r.toml);
    const std::string a = error_of(r.command, r.toml, {}), b = error_of(r.command, "", r.flags);
    EXPECT_NE(a.find(r.both), std::string::npos) << "from TOML: " << a;
    EXPECT_NE(b.find(r.both), std::string::npos) << "from flags: " << b;
    EXPECT_EQ(a.rfind("config 'test': ", 0), 0u) << "a file's error names the file: " << a;
  }
  // Accepted alike, to the same value.
  const std::vector<Same> good = {
      {"mse", "seed = 0\n", {"--seed", "0"}},
      {"mse", "seed = 9223372036854775807\n", {"--seed", "9223372036854775807"}},
      {"mse", "seed = \"18446744073709551615\"\n", {"--seed", "18446744073709551615"}},
      {"mse", "realizations = 1e3\n", {"-R", "1e3"}},
      {"mse", "realizations = 17179869184\n", {"-R", "17179869184"}},
      {"mse", "[channel]\nk_db = -inf\n", {"--k-db", "-inf"}},
      {"mse", "[noise]\nsnr_db = [-200.0, 200.0]\n", {"--snr-db", "-200,200"}},
  };
  for (const Same& c : good) {
    SCOPED_TRACE(c.toml);
    EXPECT_EQ(resolve(c.command, c.toml, {}), resolve(c.command, "", c.flags));
  }
  // The largest seed is written so that it reads back (TOML integers stop at 2^63 - 1).
  const std::string top = resolve("mse", "", {"--seed", "18446744073709551615"});
  EXPECT_NE(top.find("seed = \"18446744073709551615\"\n"), std::string::npos) << top;
}

// A seed written as a float is refused from TOML as it is from the command line (a seed is
// up to 2^64 - 1, beyond what a float holds exactly).
TEST(Fields, SeedsAsWholeFloatsFollowTheSameRule) {
  EXPECT_EQ(error_of("mse", "seed = 1e3\n", {}).empty(), error_of("mse", "", {"--seed", "1e3"}).empty());
}

// A boolean flag given a value: `airtp compare --lower-bound=false` switches off compare's
// default (true); once every value was taken as true.
TEST(Fields, ABooleanFlagGivenFalseIsFalseOrRefused) {
  const std::string e = error_of("compare", "", {"--lower-bound=false"});
  if (e.empty()) {
    const std::string toml = resolve("compare", "", {"--lower-bound=false"});
    EXPECT_NE(toml.find("lower_bound = false"), std::string::npos) << toml;
  } else {
    EXPECT_NE(e.find("lower_bound (--lower-bound)"), std::string::npos) << e;
  }
}

// Whole numbers are written plainly in the resolved TOML ("50.0", not "5e+01").
TEST(Fields, WholeNumbersAreWrittenPlainly) {
  EXPECT_EQ(exact_number(50.0), "50.0");
  EXPECT_EQ(exact_number(-10.0), "-10.0");
  EXPECT_EQ(exact_number(0.1), "0.1");
}

namespace {
// Non-default values of (nearly) every kind of field of each command, for the round trip.
std::vector<std::string> busy_flags(const std::string& command) {
  std::vector<std::string> f = {"--seed", "18446744073709551615", "--devices", "2*phone+laptop", "-N", "2,3",
                                "--n-rx", "8,12", "--k-db", "-inf,0.1,3", "--csi-nmse", "0,1e-3",
                                "--angle-max-deg", "45.5", "--noise-mode", "physical", "--tx-power-dbm", "10,20.25"};
  if (command != "assign") f.insert(f.end(), {"--m", "uniform;0.5,0.25,0.25;compute"});
  if (command == "mse") f.insert(f.end(), {"--schemes", "aircomp,fdma:eigen,digital", "--bits", "3,9", "-R", "77", "--target-rse", "0.125"});
  if (command == "compare") f.insert(f.end(), {"--solvers", "eigen,sdr", "--draws", "9", "--save-channels"});
  if (command == "assign") f.insert(f.end(), {"--iterations", "9", "--m0", "0.25,0.75", "--rho-exp", "0.7"});
  if (command == "ppl") f.insert(f.end(), {"--schemes", "exact,aircomp:sdr", "--max-stories", "2", "--coherence", "allreduce"});
  if (command == "latency") {
    f = {"--seed", "5", "-N", "1,2", "--model", "llama2-7b,stories260K", "--bandwidth-hz", "1e6,3.5e6", "--m", "uniform;compute"};
  }
  return f;
}
}  // namespace

// The resolved TOML of every command reads back to the same resolved TOML: the defaults, a
// configuration with non-default values of every kind, and [[device]] tables.
TEST(Fields, ResolvedTomlRoundTripsForEveryCommand) {
  const std::string devices =
      "[[device]]\npreset = \"phone\"\nflops = 3e12\ndistance_m = 12.5\nn_tx = 2\naoa_deg = -10.0\n"
      "[[device]]\npreset = \"custom\"\nmemory_bytes = 1e9\nenergy_per_param = 1e-12\nenergy_budget = 0.001\n"
      "path_loss_db = 80.5\n";
  for (const Command& cmd : commands()) {
    SCOPED_TRACE(cmd.name);
    for (int variant = 0; variant < 3; ++variant) {
      const std::string first = variant == 0   ? resolve(cmd.name, "", {})
                                : variant == 1 ? resolve(cmd.name, "", busy_flags(cmd.name))
                                               : resolve(cmd.name, devices, {});
      const auto again = make(cmd.name);
      again->t.read_text(first, "resolved");
      EXPECT_EQ(again->t.to_toml(), first) << "variant " << variant;
      EXPECT_EQ(first.rfind("command = \"" + cmd.name + "\"\n", 0), 0u);
      if (variant == 2) {
        EXPECT_NE(first.find("[[device]]\npreset = \"phone\"\nflops = 3e+12\n"), std::string::npos) << first;
        EXPECT_NE(first.find("distance_m = 12.5\nn_tx = 2\naoa_deg = "), std::string::npos) << first;
        EXPECT_NE(first.find("path_loss_db = 80.5\n"), std::string::npos) << first;
      }
    }
  }
}

// End to end: the config_toml a result file records, given back to `airtp run`, resolves to
// itself (and so reruns the same experiment), for every command that writes one.
TEST(Fields, RecordedConfigRunsBackToItselfForEveryCommand) {
  const fs::path dir = test::scratch_dir("fields");
  const std::vector<std::pair<std::string, std::string>> runs = {
      {"mse", "mse -q -R 5 -N 2 --n-rx 4 --n-tx 2 --snr-db 0,10 --solver eigen --seed 18446744073709551615"},
      {"compare", "compare -q -R 2 -N 2 --n-rx 4 --n-tx 2 --solvers eigen --k-db -inf"},
      {"assign", "assign -q --solver eigen --iterations 2 --batch 4 --validation 4 --devices phone+laptop"},
      {"latency", "latency -q --model llama2-7b -N 1,2"},
      {"ppl", "ppl -q -N 2 --schemes exact -R 1 --max-stories 1 --snr-db 10"},
  };
  for (const auto& [name, args] : runs) {
    SCOPED_TRACE(name);
    const std::string a = (dir / (name + "_a.h5")).string(), b = (dir / (name + "_b.h5")).string();
    auto r = test::run_airtp(args + " -o " + a);
    ASSERT_EQ(r.code, 0) << r.output;
    const std::string recorded = test::str_attr(a, "/", "config_toml");
    EXPECT_EQ(test::read_strings(a, "run/config_toml"), std::vector<std::string>{recorded});
    const fs::path cfg = dir / (name + ".toml");
    std::ofstream(cfg) << recorded;
    r = test::run_airtp("run " + cfg.string() + " -q -o " + b);
    ASSERT_EQ(r.code, 0) << r.output << "\n" << recorded;
    EXPECT_EQ(test::str_attr(b, "/", "config_toml"), recorded);
    EXPECT_EQ(test::dataset_bytes(a), test::dataset_bytes(b)) << "the recorded config reruns the same experiment";
  }
}

// --help lists every field: its flag, its unit, its config key and its default.
TEST(Fields, HelpShowsUnitsKeysAndDefaults) {
  for (const Command& cmd : commands()) {
    SCOPED_TRACE(cmd.name);
    const auto probe = cmd.make();
    CLI::App app;
    probe->t.add_flags(app);
    const auto r = test::run_airtp(cmd.name + " --help");
    ASSERT_EQ(r.code, 0) << r.output;
    std::istringstream in(r.output);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    int checked = 0;
    for (const Field& f : probe->t.fields()) {
      if (f.flag.empty() || f.hidden) continue;
      const std::string names = f.short_flag.empty() ? f.flag : f.short_flag + "," + f.flag;
      const auto line = std::find_if(lines.begin(), lines.end(), [&](const std::string& l) {
        const size_t a = l.find_first_not_of(' ');
        return a != std::string::npos && l.compare(a, names.size() + 1, names + " ") == 0;
      });
      ASSERT_NE(line, lines.end()) << names << " is not in --help:\n" << r.output;
      if (!f.unit.empty() && f.unit != "1") {
        EXPECT_NE(line->find("[" + f.unit + "]"), std::string::npos) << *line;
      }
      if (!f.flag_only) {
        EXPECT_NE(line->find("config key " + f.key), std::string::npos) << *line;
      }
      if (!std::holds_alternative<bool*>(f.target)) {
        EXPECT_NE(line->find("(default: " + (f.default_text.empty() ? std::string("none") : f.default_text) + ")"),
                  std::string::npos)
            << *line;
      }
      ++checked;
    }
    EXPECT_GT(checked, 20);
  }
  // Spot checks of what a user reads.
  const auto mse = test::run_airtp("mse --help").output;
  EXPECT_NE(mse.find("--snr-db LIST"), std::string::npos);
  EXPECT_NE(mse.find("[dB]; config key noise.snr_db (default: 0,5,10,15,20)"), std::string::npos) << mse;
  EXPECT_NE(mse.find("[Hz]; config key noise.bandwidth_hz (default: 1000000)"), std::string::npos) << mse;
  const auto gen = test::run_airtp("generate --help").output;
  EXPECT_NE(gen.find("[tokens]; config key steps (default: 100)"), std::string::npos) << gen;
  EXPECT_NE(gen.find("config key prompt (default: Once upon a time)"), std::string::npos) << gen;
}
