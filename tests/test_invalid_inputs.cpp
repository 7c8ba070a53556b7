// One table of invalid inputs across the airtp commands: every row must exit with code 2
// (InputError or a CLI parse error), print a message naming the problem, and write no
// result file. {d} is a scratch directory holding the broken files made below, {t} the
// bundled tokenizer.
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
    // mse: flags, config values, config files. Every field is named "key (--flag)".
    {"mse -q -o {d}/out.h5 --n-devices 0", "channel.n_devices (--n-devices): each value must be between 1 and 32 devices, got 0"},
    {"mse -q -o {d}/out.h5 --realizations 0", "realizations (--realizations): must be between 1 and 17179869184 realizations, got 0"},
    {"mse -q -o {d}/out.h5 --snr-db nan", "noise.snr_db (--snr-db): must be a number, got nan"},
    {"mse -q -o {d}/out.h5 --solver magic", "solver (--solver): must be one of eigen, random, fast, sdr, got 'magic'"},
    {"mse -q -o {d}/out.h5 --backend tpu", "backend (--backend): must be one of auto, cpu, cuda, got 'tpu'"},
    {"mse -q -o {d}/out.h5 --shard 3/2", "--shard: expected i/n with 0 <= i < n (e.g. 0/4), got '3/2'"},
    {"mse -q -o {d}/out.h5 --seed 18446744073709551616", "seed (--seed): '18446744073709551616' is larger than 2^64 - 1"},
    {"mse -q -o {d}/out.h5 --devices 2*tablet", "devices (--devices): unknown device preset 'tablet'"},
    {"mse -q -o {d}/out.h5 --csi-nmse -1", "channel.csi_nmse (--csi-nmse): each value must be between 0 and 100, got -1"},
    {"mse -q -o {d}/out.h5 --resume --fresh", "--resume and --fresh: give one of them, not both"},
    {"mse -q -o {d}/out.h5 -R 5 --target-rse 0.1 --min-realizations 10",
     "min_realizations (--min-realizations): 10 is more than realizations (--realizations) 5"},
    {"mse -q -o {d}/out.h5 --target-rse 1.5", "target_rse (--target-rse): must be between 0 and 1, got 1.5"},
    {"mse -q -o {d}/out.h5 --m 0.5,0.5 -N 2,3", "m (--m): '0.5,0.5' gives 2 shares for 3 devices"},
    {"mse -q -o {d}/out.h5 {d}/unknown_key.toml", "config '{d}/unknown_key.toml': unknown field 'noise.bogus'"},
    {"mse -q -o {d}/out.h5 {d}/syntax.toml", "syntax.toml' line 1, column 8"},
    {"mse -q -o {d}/out.h5 {d}/wrong_type.toml", "channel.n_rx (--n-rx): must be an integer or a list of integers"},
    {"mse -q -o {d}/out.h5 {d}/zero_devices.toml", "channel.n_devices (--n-devices): each value must be between 1 and 32"},
    {"mse -q -o {d}/out.h5 {d}/missing.toml", "missing.toml': no such file"},
    {"mse -q -o {d}/out.h5 --no-such-flag", "not expected: --no-such-flag"},
    // ppl: model and tokenizer files, flags
    {"ppl -q -o {d}/out.h5 --model {d}/truncated.bin --tokenizer {t} --max-stories 1 -R 1",
     "truncated.bin': size 1000 bytes does not match the header"},
    {"ppl -q -o {d}/out.h5 --model {d}/truncated.bin --max-stories 1 -R 1",
     "tokenizer (--tokenizer): none given for the model '{d}/truncated.bin'"},
    {"ppl -q -o {d}/out.h5 --tokenizer {d}/missing_tok.bin --max-stories 1 -R 1", "tokenizer file '{d}/missing_tok.bin': no such file"},
    {"ppl -q -o {d}/out.h5 --tokenizer {d}/truncated_tok.bin --max-stories 1 -R 1", "truncated_tok.bin': too short: ends inside token 7"},
    {"ppl -q -o {d}/out.h5 -N 0 --max-stories 1 -R 1", "channel.n_devices (--n-devices): each value must be between 1 and 32"},
    {"ppl -q -o {d}/out.h5 --schemes carrier-pigeon", "schemes (--schemes): 'carrier-pigeon' is not one of exact, digital, aircomp, fdma"},
    {"ppl -q -o {d}/out.h5 --text {d}/missing.txt", "text file '{d}/missing.txt': no such file"},
    {"ppl -q -o {d}/out.h5 -R 0 --max-stories 1", "realizations (--realizations): must be between 1 and"},
    {"ppl -q -o {d}/out.h5 --schemes digital --bits 0 --max-stories 1 -R 1", "digital.bits (--bits): each value must be between 1 and 24 bits, got 0"},
    {"ppl -q -o {d}/out.h5 --snr-db abc", "noise.snr_db (--snr-db): 'abc' is not a number"},
    {"ppl -q -o {d}/out.h5 --shard 3/3 --max-stories 1", "--shard: expected i/n with 0 <= i < n"},
    {"ppl -q -o {d}/out.h5 --coherence slot", "channel.coherence (--coherence): must be one of token, allreduce, got 'slot'"},
    {"ppl -q -o {d}/out.h5 -N 2 --m 0.5,0.6 --max-stories 1", "m (--m): the shares '0.5,0.6' sum to 1.1, not 1"},
    {"ppl -q -o {d}/out.h5 -N 9 --max-stories 1", "m (--m): 9 devices but the model has only 8 query heads"},
    // generate
    {"generate --steps 0", "steps (--steps): must be between 1 and 1048576 tokens, got 0"},
    {"generate --model {d}/missing.bin", "model file '{d}/missing.bin': no such file"},
    {"generate --model {d}/truncated.bin --tokenizer {t}", "file truncated?"},
    {"generate --schemes aircomp,fdma", "schemes (--schemes): generate takes one scheme"},
    // latency
    {"latency -q -o {d}/out.h5 --n-devices 0", "channel.n_devices (--n-devices): each value must be between 1 and 32"},
    {"latency -q -o {d}/out.h5 --model llama9", "model (--model): unknown model 'llama9'"},
    {"latency -q -o {d}/out.h5 -N 2 --m 0.5,0.6", "m (--m): the shares '0.5,0.6' sum to 1.1, not 1"},
    {"latency -q -o {d}/out.h5 --bits 0", "digital.bits (--bits): each value must be between 1 and 64 bits, got 0"},
    // compare
    {"compare -q -o {d}/out.h5 --solvers eigen,magic", "solvers (--solvers): must be one of eigen, random, fast, sdr, got 'magic'"},
    {"compare -q -o {d}/out.h5 --realizations 0", "realizations (--realizations): must be between 1 and"},
    {"compare -q -o {d}/out.h5 --n-devices 0", "channel.n_devices (--n-devices): each value must be between 1 and 32"},
    {"compare -q -o {d}/out.h5 --n-rx 0", "channel.n_rx (--n-rx): each value must be between 1 and 128 antennas, got 0"},
    {"compare -q -o {d}/out.h5 --snr-db inf", "noise.snr_db (--snr-db): each value must be finite, got inf"},
    {"compare -q -o {d}/out.h5 --shard 1/0", "--shard: expected i/n with 0 <= i < n"},
    // assign
    {"assign -q -o {d}/out.h5 --iterations 0", "ssca.iterations (--iterations): must be between 1 and 1000000 iterations, got 0"},
    {"assign -q -o {d}/out.h5 --n-rx 8,20", "channel.n_rx (--n-rx): assign optimises one scenario, so it takes a single value"},
    {"assign -q -o {d}/out.h5 --shard 0/2", "not expected: --shard"},
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
  for (size_t p; (p = s.find("{t}")) != std::string::npos;) s.replace(p, 3, airtp::model_test::tokenizer_path());
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
  write(d / "unknown_key.toml", "seed = 1\nrealizations = 8\n[channel]\nn_devices = [2]\n[noise]\nsnr_db = [0]\nbogus = 1\n");
  write(d / "syntax.toml", "seed = \n[channel\n");
  write(d / "wrong_type.toml", "seed = 1\n[channel]\nn_devices = [2]\nn_rx = \"many\"\n");
  write(d / "zero_devices.toml", "[channel]\nn_devices = [0]\n");
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
