// `airtp ppl` and `airtp generate` end to end: bad input exits 2 naming the field or file; a
// good run writes a self-describing file and prints the model's known text.
#include <gtest/gtest.h>
#include <H5Cpp.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/cli_runner.hpp"
#include "tests/h5_util.hpp"
#include "tests/model_paths.hpp"

using airtp::test::run_airtp;
using airtp::test::read_doubles;
namespace fs = std::filesystem;

namespace {
fs::path dir() { return airtp::test::scratch_dir("modelcli"); }
}  // namespace

TEST(ModelCli, BadInputExitsTwoNamingTheProblem) {
  const std::string o = " -o " + (dir() / "never.h5").string();
  const std::pair<std::string, const char*> cases[] = {
      {"ppl --scheme smoke" + o, "schemes (--schemes)"},
      {"ppl -N 3 --m 0.5,0.6,0.1 --max-stories 1" + o, "m (--m)"},
      {"ppl -N 2 --m 0.5 --max-stories 1" + o, "m (--m)"},
      {"ppl -N 9 --max-stories 1" + o, "m (--m)"},
      {"ppl --model /nonexistent.bin" + o, "/nonexistent.bin"},
      // (Without --tokenizer this is reported as a missing tokenizer: load_model looks for one first.)
      {"ppl --model llama2-7b --tokenizer " + airtp::model_test::tokenizer_path() + " --max-stories 1" + o,
       "model (--model): 'llama2-7b' is a shape without weights"},
      {"ppl --text /nonexistent.txt" + o, "/nonexistent.txt"},
      {"ppl --schemes digital --bits 0 --max-stories 1" + o, "digital.bits (--bits)"},
      {"ppl --coherence slot --max-stories 1" + o, "channel.coherence (--coherence)"},
      {"ppl --streams 5 --max-stories 1" + o, "channel.streams (--streams)"},
      {"ppl -R 0 --max-stories 1" + o, "realizations (--realizations)"},
      {"ppl --save-channels --coherence allreduce --max-stories 1" + o, "save_channels (--save-channels)"},
      {"generate --steps 0", "steps (--steps)"},
      {"generate --tokenizer /nonexistent.tok", "/nonexistent.tok"},
      {"generate --snr-db 10,20 --schemes aircomp", "noise.snr_db (--snr-db): generate takes a single value"},
  };
  for (const auto& [args, mention] : cases) {
    const auto r = run_airtp(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.output;
    EXPECT_NE(r.output.find(mention), std::string::npos) << args << "\n" << r.output;
  }
  EXPECT_FALSE(fs::exists(dir() / "never.h5"));
}

TEST(ModelCli, GenerateExactPrintsKnownText) {
  const auto r = run_airtp("generate -N 4 --schemes exact --steps 20");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("Once upon a time, there was a little girl named Lily."), std::string::npos) << r.output;
  // A prompt from a config file, the flag overriding it.
  const fs::path cfg = dir() / "gen.toml";
  std::ofstream(cfg) << "command = \"generate\"\nprompt = \"The cat\"\nsteps = 5\n[channel]\nn_devices = [2]\n";
  const auto c = run_airtp("generate " + cfg.string());
  ASSERT_EQ(c.code, 0) << c.output;
  EXPECT_EQ(c.output.rfind("The cat", 0), 0u) << c.output;
  const auto f = run_airtp("run " + cfg.string() + " --prompt 'Once upon a time' --steps 20");
  ASSERT_EQ(f.code, 0) << f.output;
  EXPECT_EQ(f.output, r.output) << "the split and the prompt decide the greedy text";
}

TEST(ModelCli, PplWritesSelfDescribingFile) {
  const fs::path out = dir() / "ppl.h5";
  const auto r = run_airtp("ppl -N 2 --schemes fdma --snr-db 20,40 -R 2 --max-stories 2 -q -o " + out.string());
  ASSERT_EQ(r.code, 0) << r.output;
  const std::string o = out.string();
  for (const char* name : {"ppl/clean_ppl", "ppl/snr_db", "ppl/ppl", "ppl/ppl_se", "ppl/kl", "ppl/top1", "ppl/nmse",
                           "ppl/mean_alpha", "ppl/realizations"}) {
    ASSERT_TRUE(airtp::test::exists(o, name)) << name;
    EXPECT_FALSE(airtp::test::str_attr(o, name, "units").empty()) << name;
    EXPECT_FALSE(airtp::test::str_attr(o, name, "description").empty()) << name;
  }
  std::vector<hsize_t> shape;
  const auto ppl = read_doubles(o, "ppl/ppl", &shape);
  ASSERT_EQ(shape, (std::vector<hsize_t>{1, 1, 1, 1, 1, 1, 1, 1, 2}));
  EXPECT_EQ(airtp::test::dim_names(o, "ppl/ppl"), (std::vector<std::string>{"curve", "n_devices", "assignment", "n_rx",
                                                                            "n_tx", "streams", "k_factor", "csi_nmse",
                                                                            "snr_db"}));
  EXPECT_EQ(read_doubles(o, "ppl/snr_db"), (std::vector<double>{20, 40}));
  EXPECT_GT(ppl[0], ppl[1]);  // 20 dB worse than 40 dB
  read_doubles(o, "ppl/nmse", &shape);
  EXPECT_EQ(shape, (std::vector<hsize_t>{1, 1, 1, 1, 1, 1, 1, 1, 2, 5, 2}));  // ... x layer x allreduce
  EXPECT_FALSE(airtp::test::str_attr(o, "ppl", "kl_direction").empty());
  EXPECT_EQ(airtp::test::read_ints(o, "ppl/realizations"), (std::vector<int64_t>{2, 2}));
}

namespace {

fs::path write_text(const std::string& name, const std::string& text) {
  const fs::path p = dir() / name;
  std::ofstream(p) << text;
  return p;
}

const char* kSweepConfig = R"(command = "ppl"
seed = 7
schemes = ["exact", "digital", "aircomp"]
realizations = 1
max_stories = 2
solver = "eigen"
[channel]
n_devices = [1, 2]
n_rx = 8
n_tx = 2
[noise]
snr_db = [10, 40]
[digital]
bits = [4]
)";

}  // namespace

// A config with lists of schemes and devices sweeps them into one file, one curve per scheme
// and one dimension per axis; flags override the config; the stored config reads back and
// reproduces the numbers.
TEST(ModelCli, PplConfigSweepsSchemesAndDevices) {
  const fs::path cfg = write_text("sweep.toml", kSweepConfig);
  const fs::path out = dir() / "sweep.h5";
  const auto r = run_airtp("ppl " + cfg.string() + " -q -o " + out.string());
  ASSERT_EQ(r.code, 0) << r.output;
  const std::string o = out.string();
  const double clean = read_doubles(o, "ppl/clean_ppl")[0];
  EXPECT_EQ(airtp::test::read_strings(o, "ppl/curve"),
            (std::vector<std::string>{"exact", "digital (4 bits)", "aircomp (eigen)"}));
  std::vector<hsize_t> shape;
  const auto ppl = read_doubles(o, "ppl/ppl", &shape);
  ASSERT_EQ(shape, (std::vector<hsize_t>{3, 2, 1, 1, 1, 1, 1, 1, 2}));
  auto at = [&](size_t curve, size_t n, size_t snr) { return ppl[(curve * 2 + n) * 2 + snr]; };
  for (size_t n = 0; n < 2; ++n) {
    for (size_t s = 0; s < 2; ++s) EXPECT_NEAR(at(0, n, s), clean, 1e-4 * clean) << "split with exact sums = the clean model";
    EXPECT_EQ(at(1, n, 0), at(1, n, 1)) << "digital does not depend on the SNR";
    EXPECT_GT(at(2, n, 0), at(2, n, 1)) << "10 dB worse than 40 dB";
  }
  EXPECT_EQ(airtp::test::read_ints(o, "ppl/n_devices"), (std::vector<int64_t>{1, 2}));
  // The stored config runs again to the same numbers.
  const std::string stored = airtp::test::str_attr(o, "/", "config_toml");
  const fs::path cfg2 = write_text("stored.toml", stored);
  const fs::path out2 = dir() / "sweep2.h5";
  const auto r2 = run_airtp("run " + cfg2.string() + " -q -o " + out2.string());
  ASSERT_EQ(r2.code, 0) << r2.output << "\n" << stored;
  EXPECT_EQ(read_doubles(out2.string(), "ppl/ppl"), ppl);
  // Flags override: one scheme and one N; --max-stories wins over the file.
  const auto r3 = run_airtp("ppl " + cfg.string() + " --schemes aircomp -N 2 --max-stories 1 -q -o " + out2.string());
  ASSERT_EQ(r3.code, 0) << r3.output;
  const auto one = read_doubles(out2.string(), "ppl/ppl", &shape);
  EXPECT_EQ(shape, (std::vector<hsize_t>{1, 1, 1, 1, 1, 1, 1, 1, 2}));
  H5::H5File f(out2.string(), H5F_ACC_RDONLY);
  int64_t n_seq = 0;
  f.openGroup("ppl").openAttribute("clean_stories").read(H5::PredType::NATIVE_INT64, &n_seq);
  EXPECT_EQ(n_seq, 1);
}

TEST(ModelCli, PplConfigErrorsNameTheFieldAndExitTwo) {
  const std::pair<std::string, std::string> cases[] = {
      {std::string(kSweepConfig) + "[extra]\nsnr = [1]\n", "unknown field 'extra'"},
      {std::string(kSweepConfig) + "snr_db = [1]\n", "unknown field 'digital.snr_db'"},
      {std::string("snr = [1]\n"), "unknown field 'snr'"},
      {std::string("m = \"0.5,0.5\"\n[channel]\nn_devices = [1, 2]\n"), "m (--m)"},
      {std::string("command = \"mse\"\n"), "field 'command' is 'mse', expected 'ppl'"},
      {std::string("schemes = [\"aircomp\", \"smoke\"]\nmax_stories = 1\n"), "smoke"},
      {std::string("[channel]\nn_devices = []\n"), "channel.n_devices (--n-devices): must not be an empty list"},
      {std::string("realizations = \"two\"\n"), "realizations (--realizations): must be an integer"},
  };
  int i = 0;
  for (const auto& [text, mention] : cases) {
    const fs::path cfg = write_text("bad" + std::to_string(i++) + ".toml", text);
    const auto r = run_airtp("ppl " + cfg.string() + " -q -o " + (dir() / "never.h5").string());
    EXPECT_EQ(r.code, 2) << text << "\n" << r.output;
    EXPECT_NE(r.output.find(mention), std::string::npos) << text << "\n" << r.output;
  }
  EXPECT_FALSE(fs::exists(dir() / "never.h5"));
}
