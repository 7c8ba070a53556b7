// One table of invalid inputs across the airtp commands: every row must exit with code 2
// (InputError or a CLI parse error), print a message naming the problem, and write no
// result file. {d} is a scratch directory holding the broken files made below, {m} and {t}
// the bundled model and tokenizer.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/cli_runner.hpp"
#include "tests/model_paths.hpp"

using airtp::test::run_airtp;
namespace fs = std::filesystem;

namespace {

struct Row {
  const char* args;     // after "airtp"; " -o {d}/out.h5" is not added automatically
  const char* message;  // substring the output must contain
};

const Row kRows[] = {
    // mse: flags, config values, config files
    {"mse -q -o {d}/out.h5 --devices 0", "channel.devices (--devices): each N must be between 1 and 32, got 0"},
    {"mse -q -o {d}/out.h5 --realizations 0", "realizations (--realizations): must be between 1 and 2^34"},
    {"mse -q -o {d}/out.h5 --snr-db nan", "--snr-db: 'nan' is not a number"},
    {"mse -q -o {d}/out.h5 --solver magic", "--solver: unknown solver 'magic'"},
    {"mse -q -o {d}/out.h5 --backend tpu", "backend (--backend): must be auto, cpu or cuda, got 'tpu'"},
    {"mse -q -o {d}/out.h5 --shard 3/2", "--shard: expected i/n with 0 <= i < n"},
    {"mse -q -o {d}/out.h5 {d}/unknown_key.toml", "unknown field 'noise.bogus'"},
    {"mse -q -o {d}/out.h5 {d}/syntax.toml", "syntax.toml' line 1, column 8"},
    {"mse -q -o {d}/out.h5 {d}/wrong_type.toml", "field 'channel.n_rx' must be an integer or a list of integers"},
    {"mse -q -o {d}/out.h5 {d}/zero_devices.toml", "channel.devices (--devices): each N must be between 1 and 32"},
    {"mse -q -o {d}/out.h5 {d}/missing.toml", "missing.toml': no such file"},
    {"mse -q -o {d}/out.h5 --no-such-flag", "not expected: --no-such-flag"},
    // ppl: model and tokenizer files, flags
    {"ppl -q -o {d}/out.h5 --model {d}/truncated.bin --max-stories 1 -R 1", "truncated.bin': size 1000 bytes does not match the header"},
    {"ppl -q -o {d}/out.h5 --tokenizer {d}/missing_tok.bin --max-stories 1 -R 1", "tokenizer file '{d}/missing_tok.bin': no such file"},
    {"ppl -q -o {d}/out.h5 --tokenizer {d}/truncated_tok.bin --max-stories 1 -R 1", "truncated_tok.bin': too short: ends inside token 7"},
    {"ppl -q -o {d}/out.h5 -N 0 --max-stories 1 -R 1", "--devices: must be at least 1"},
    {"ppl -q -o {d}/out.h5 --scheme carrier-pigeon", "--scheme: 'carrier-pigeon' is not one of exact, digital, fdma, aircomp"},
    {"ppl -q -o {d}/out.h5 --text {d}/missing.txt", "text file '{d}/missing.txt': no such file"},
    {"ppl -q -o {d}/out.h5 -R 0 --max-stories 1", "--realizations: must be at least 1"},
    {"ppl -q -o {d}/out.h5 --scheme digital --bits 0 --max-stories 1 -R 1", "--bits: 0 not in 1..24"},
    {"ppl -q -o {d}/out.h5 --snr abc", "Could not convert: --snr = abc"},
    {"ppl -q -o {d}/out.h5 --shard 3/3 --max-stories 1", "--shard: expected i/n with 0 <= i < n"},
    {"ppl -q --shard 0/2 --max-stories 1", "--shard: needs an output file (-o)"},
    {"ppl -q --resume --max-stories 1", "--resume: needs an output file (-o)"},
    // generate
    {"generate --steps 0", "--steps: must be at least 1"},
    {"generate --model {d}/missing.bin", "model file '{d}/missing.bin': cannot open"},
    {"generate --model {d}/truncated.bin", "file truncated?"},
    // latency
    {"latency -q -o {d}/out.h5 --devices 0", "--devices: 0.000000 is not an integer in 1..4096"},
    {"latency -q -o {d}/out.h5 --models llama9", "unknown model shape 'llama9'"},
    {"latency -q -o {d}/out.h5 --m 0.5,0.6", "--m: entries sum to 1.100000, not 1"},
    {"latency -q -o {d}/out.h5 --quant-bits 0", "radio.quant_bits (--quant-bits) must be in 1..64"},
    // compare
    {"compare -q -o {d}/out.h5 --solvers eigen,magic", "--solvers: unknown solver 'magic'"},
    {"compare -q -o {d}/out.h5 --realizations 0", "--realizations: must be >= 1"},
    {"compare -q -o {d}/out.h5 --devices 0", "--devices: each N must be in 1..32"},
    {"compare -q -o {d}/out.h5 --n-rx 0", "--n-rx: each N_r must be in 1..128"},
    {"compare -q -o {d}/out.h5 --snr-db inf", "--snr-db: must be finite"},
    {"compare -q -o {d}/out.h5 --shard 1/0", "--shard: expected i/n with 0 <= i < n"},
    // merge
    {"merge -q {d}/out.h5", "shards is required"},
    {"merge -q {d}/out.h5 {d}/missing.h5", "shard '{d}/missing.h5': no such file"},
    {"merge -q {d}/out.h5 {d}/not_hdf5.h5", "shard '{d}/not_hdf5.h5': cannot read"},
    // run
    {"run {d}/missing.toml", "missing.toml': no such file"},
    {"run {d}/unknown_key.toml", "command: missing (e.g. command = \"mse\")"},
    {"run {d}/syntax.toml", "syntax.toml' line 1, column 8"},
};

std::string fill(std::string s, const std::string& dir) {
  for (size_t p; (p = s.find("{d}")) != std::string::npos;) s.replace(p, 3, dir);
  return s;
}

void write(const fs::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }

std::string head_of(const std::string& path, size_t n) {
  std::ifstream in(path, std::ios::binary);
  std::string s(n, '\0');
  in.read(s.data(), (std::streamsize)n);
  s.resize((size_t)in.gcount());
  return s;
}

}  // namespace

TEST(InvalidInputs, EveryRowExits2AndNamesTheProblem) {
  const fs::path d = fs::temp_directory_path() / ("airtp_invalid_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  write(d / "truncated.bin", head_of(airtp::model_test::model_path(), 1000));
  write(d / "truncated_tok.bin", head_of(airtp::model_test::tokenizer_path(), 100));
  write(d / "unknown_key.toml", "seed = 1\nrealizations = 8\n[channel]\ndevices = [2]\n[noise]\nsnr_db = [0]\nbogus = 1\n");
  write(d / "syntax.toml", "seed = \n[channel\n");
  write(d / "wrong_type.toml", "seed = 1\n[channel]\ndevices = [2]\nn_rx = \"many\"\n");
  write(d / "zero_devices.toml", "[channel]\ndevices = [0]\n");
  write(d / "not_hdf5.h5", "not an HDF5 file\n");

  ASSERT_GE(std::size(kRows), 30u);
  for (const Row& row : kRows) {
    const std::string args = fill(row.args, d.string()), message = fill(row.message, d.string());
    const auto r = run_airtp(args);
    EXPECT_EQ(r.code, 2) << "airtp " << args << "\n" << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos)
        << "airtp " << args << "\nexpected to mention: " << message << "\noutput: " << r.output;
    EXPECT_FALSE(fs::exists(d / "out.h5")) << "airtp " << args << " wrote a result file";
    fs::remove(d / "out.h5");
  }
  fs::remove_all(d);
}
