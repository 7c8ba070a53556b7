// Every figure config of experiments/paper/ runs: its smoke variant end to end through
// `airtp run`, so that a config and the command it names cannot drift apart unnoticed (the
// full variants share the smoke variant's fields; analysis/tests/test_paper_configs.py checks
// that).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/cli_runner.hpp"
#include "tests/model_paths.hpp"

using airtp::test::run_airtp;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> smoke_configs() {
  std::vector<std::string> v;
  for (const auto& e : fs::directory_iterator(fs::path(AIRTP_SOURCE_DIR) / "experiments/paper")) {
    const std::string name = e.path().filename().string();
    if (name.size() > 11 && name.ends_with(".smoke.toml")) v.push_back(name);
  }
  std::sort(v.begin(), v.end());
  return v;
}

class PaperConfig : public testing::TestWithParam<std::string> {};

TEST_P(PaperConfig, SmokeVariantRunsAndFullVariantExists) {
  const fs::path dir = fs::path(AIRTP_SOURCE_DIR) / "experiments/paper";
  const std::string smoke = GetParam();
  // Configs on the fetched model need it (experiments/fetch-models.sh); under the sanitizers
  // its 30 layers are too slow for the suite.
  std::ifstream in(dir / smoke);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.find("\"smollm2-135m\"") != std::string::npos) {
    if (!fs::exists(airtp::model_test::smollm2_path()))
      GTEST_SKIP() << airtp::model_test::smollm2_path() << " is absent (experiments/fetch-models.sh)";
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "SmolLM2 forward passes: not under the sanitizers";
#endif
  }
  const std::string full = smoke.substr(0, smoke.size() - 11) + ".toml";
  EXPECT_TRUE(fs::exists(dir / full)) << full;
  const fs::path out = fs::temp_directory_path() / ("airtp_paper_" + std::to_string(::getpid()) + "_" + smoke + ".h5");
  // Relative paths in the configs (model, text) are relative to the repository root.
  const auto r = run_airtp("run " + (dir / smoke).string() + " -q -o " + out.string());
  EXPECT_EQ(r.code, 0) << smoke << "\n" << r.output;
  EXPECT_TRUE(fs::exists(out)) << smoke;
  fs::remove(out);
}

INSTANTIATE_TEST_SUITE_P(Smoke, PaperConfig, testing::ValuesIn(smoke_configs()),
                         [](const testing::TestParamInfo<std::string>& i) {
                           std::string n = i.param.substr(0, i.param.find('.'));
                           for (char& c : n)
                             if (!isalnum((unsigned char)c)) c = '_';
                           return n;
                         });

}  // namespace
