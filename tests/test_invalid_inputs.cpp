// One table of invalid inputs across the airtp commands: every row must exit with code 2
// (InputError or a CLI parse error), print a message naming the problem, and write no
// result file. {d} is a scratch directory holding the broken files made below, {t} the
// bundled tokenizer.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/cli_runner.hpp"
#include "tests/model_paths.hpp"

using airtp::test::run_airtp;
namespace fs = std::filesystem;

namespace {

struct Row {
  const char* args;         // after "airtp"; " -o {d}/out.h5" is not added automatically
  const char* message;      // substring the output must contain
  int code = 2;             // expected exit code: 2 bad input, 3 I/O
  const char* env = nullptr;  // NAME=VALUE set for this row only
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
    // ---- hostile inputs (issue 16) ----
    // The output path, checked before any computation: never an input, a folder or a device.
    {"mse -q -o {d}", "--output '{d}': is a directory; give a file name inside it"},
    {"mse -q -o {d}/sub/", "--output '{d}/sub/': names a folder (trailing '/')"},
    {"mse -q -o \"\"", "--output '': empty file name"},
    {"mse -q -o /dev/null", "--output '/dev/null': exists and is not a regular file"},
    {"mse -q -o {d}/fifo", "--output '{d}/fifo': exists and is not a regular file"},
    {"mse -q {d}/good.toml -o {d}/good.toml", "--output '{d}/good.toml': is also an input of this run"},
    {"ppl -q --max-stories 1 -R 1 --text {d}/story.txt -o {d}/story.txt", "--output '{d}/story.txt': is also an input of this run"},
    {"ppl -q --max-stories 1 -R 1 --model {d}/m.bin --tokenizer {t} -o {d}/m.bin", "--output '{d}/m.bin': is also an input of this run"},
    {"ppl -q --max-stories 1 -R 1 --model {d}/m.bin --tokenizer {d}/tok.bin -o {d}/tok.bin", "--output '{d}/tok.bin': is also an input of this run"},
    {"latency -q -o {d}", "--output '{d}': is a directory"},
    {"compare -q -o /dev/null", "--output '/dev/null': exists and is not a regular file"},
    {"assign -q -o {d}/sub/", "--output '{d}/sub/': names a folder"},
    {"e2e -q -o {d}", "--output '{d}': is a directory"},
    {"ppl -q -o {d}/fifo --max-stories 1", "--output '{d}/fifo': exists and is not a regular file"},
    {"mse -q -N 2 --m {d}/assign.h5 -o {d}/assign.h5", "is also an input of this run"},
    // Inputs only from regular files: folders, devices and FIFOs are refused at once.
    {"mse -q -o {d}/out.h5 {d}", "config '{d}': is a directory, not a file"},
    {"mse -q -o {d}/out.h5 /dev/zero", "config '/dev/zero': is a device, not a regular file"},
    {"mse -q -o {d}/out.h5 {d}/fifo", "config '{d}/fifo': is a FIFO (named pipe), not a regular file"},
    {"ppl -q -o {d}/out.h5 --model /dev/zero --tokenizer {t}", "model file '/dev/zero': is a device, not a regular file"},
    {"ppl -q -o {d}/out.h5 --model {d} --tokenizer {t}", "model file '{d}': is a directory, not a file"},
    {"ppl -q -o {d}/out.h5 --model {d}/fifo --tokenizer {t}", "model file '{d}/fifo': is a FIFO (named pipe)"},
    {"ppl -q -o {d}/out.h5 --tokenizer /dev/zero", "tokenizer file '/dev/zero': is a device, not a regular file"},
    {"ppl -q -o {d}/out.h5 --tokenizer {d}/fifo", "tokenizer file '{d}/fifo': is a FIFO (named pipe)"},
    {"ppl -q -o {d}/out.h5 --text /dev/zero", "text file '/dev/zero': is a device, not a regular file"},
    {"ppl -q -o {d}/out.h5 --text {d}", "text file '{d}': is a directory, not a file"},
    {"ppl -q -o {d}/out.h5 --text {d}/fifo", "text file '{d}/fifo': is a FIFO (named pipe)"},
    {"ppl -q -o {d}/out.h5 --text {d}/empty.txt", "text file '{d}/empty.txt': no story with at least one token to score"},
    {"ppl -q -o {d}/out.h5 --model {d}/empty.txt --tokenizer {t}", "model file '{d}/empty.txt': shorter than the 28-byte llama2.c header"},
    {"ppl -q -o {d}/out.h5 --model {d}/bad.gguf", "bad.gguf: truncated: needs 8 bytes for the tensor count"},
    {"generate --model /dev/zero --tokenizer {t}", "model file '/dev/zero': is a device, not a regular file"},
    {"generate --model {d}/bad.gguf", "bad.gguf: truncated"},
    {"latency -q -o {d}/out.h5 --model /dev/zero", "model file '/dev/zero': is a device, not a regular file"},
    {"latency -q -o {d}/out.h5 --model {d}/bad.gguf", "bad.gguf: truncated"},
    {"merge -q {d}/out.h5 /dev/zero", "shard '/dev/zero': is a device, not a regular file"},
    {"merge -q {d}/out.h5 {d}", "shard '{d}': is a directory, not a file"},
    {"mse -q -o {d}/out.h5 -N 2 --m {d}/fifo", "m (--m): file '{d}/fifo': is a FIFO (named pipe)"},
    {"mse -q -o {d}/out.h5 -N 2 --m {d}/not_hdf5.h5", "m (--m): '{d}/not_hdf5.h5' is not a readable HDF5 file"},
    {"run /dev/zero -q -o {d}/out.h5", "config '/dev/zero': is a device, not a regular file"},
    {"run -q -o {d}/out.h5 {d}/nocommand.toml", "config '{d}/nocommand.toml': command: missing"},
    {"run {d}/badcommand.toml", "command: 'fly' is not a command of this airtp"},
    // Numbers: NaN, Inf, range, whole numbers and seeds by one rule, naming key and flag.
    {"mse -q -o {d}/out.h5 --seed -1", "seed (--seed): '-1' is not a whole number from 0 to 2^64 - 1"},
    {"mse -q -o {d}/out.h5 --seed 1.5", "seed (--seed): '1.5' is not a whole number from 0 to 2^64 - 1"},
    {"ppl -q -o {d}/out.h5 --seed 99999999999999999999999", "seed (--seed): '99999999999999999999999' is larger than 2^64 - 1"},
    {"mse -q -o {d}/out.h5 {d}/seed_text.toml", "seed (--seed)"},
    {"ppl -q -o {d}/out.h5 --snr-db nan", "noise.snr_db (--snr-db): must be a number, got nan"},
    {"ppl -q -o {d}/out.h5 --k-db inf", "channel.k_db (--k-db): each value must be finite, got inf"},
    {"generate --snr-db inf", "noise.snr_db (--snr-db): each value must be finite, got inf"},
    {"generate --csi-nmse nan", "channel.csi_nmse (--csi-nmse): must be a number, got nan"},
    {"latency -q -o {d}/out.h5 --bandwidth-hz -1", "noise.bandwidth_hz (--bandwidth-hz): each value must be between 1 and"},
    {"latency -q -o {d}/out.h5 --bandwidth-hz nan", "noise.bandwidth_hz (--bandwidth-hz): must be a number, got nan"},
    {"compare -q -o {d}/out.h5 -R 1e30", "realizations (--realizations): '1e30' is out of range"},
    {"mse -q -o {d}/out.h5 -N 2.5", "channel.n_devices (--n-devices): '2.5' is not a whole number"},
    {"mse -q -o {d}/out.h5 --n-rx 1e400", "channel.n_rx (--n-rx): '1e400' is not a number"},
    {"assign -q -o {d}/out.h5 --noise-mode physical --tx-power-dbm nan", "noise.tx_power_dbm (--tx-power-dbm): must be a number, got nan"},
    {"e2e -q -o {d}/out.h5 --tx-power-dbm nan", "noise.tx_power_dbm (--tx-power-dbm): must be a number, got nan"},
    {"ppl -q -o {d}/out.h5 --schemes digital --bits 25", "digital.bits (--bits): each value must be between 1 and 24 bits, got 25"},
    {"ppl -q -o {d}/out.h5 --context -1", "context (--context): must be between 0 and 16777216 tokens, got -1"},
    {"ppl -q -o {d}/out.h5 --max-stories -1", "max_stories (--max-stories): must be between 0 and 1000000000 stories, got -1"},
    {"mse -q -o {d}/out.h5 --target-rse nan", "target_rse (--target-rse): must be a number, got nan"},
    {"mse -q -o {d}/out.h5 -N 2 --m 0.5,nan", "m (--m): 'nan' in '0.5,nan' is not a non-negative number"},
    {"mse -q -o {d}/out.h5 -N 2 --m -0.5,1.5", "m (--m): '-0.5' in '-0.5,1.5' is not a non-negative number"},
    {"mse -q -o {d}/out.h5 --distance-min-m -5", "channel.distance_min_m (--distance-min-m): must be between 0.001 and"},
    {"mse -q -o {d}/out.h5 --distance-min-m 200 --distance-max-m 100", "at most channel.distance_max_m (--distance-max-m)"},
    {"mse -q -o {d}/out.h5 --angle-max-deg 400", "channel.angle_max_deg (--angle-max-deg): must be between 0 and 90 deg, got 400"},
    {"mse -q -o {d}/out.h5 --path-loss-exponent inf", "channel.path_loss_exponent (--path-loss-exponent): must be finite, got inf"},
    {"mse -q -o {d}/out.h5 --noise-mode loud", "noise.mode (--noise-mode): must be one of normalised, physical, got 'loud'"},
    {"mse -q -o {d}/out.h5 --streams 9 --n-tx 4", "channel.streams (--streams): L = 9 streams need at least as many antennas"},
    {"mse -q -o {d}/out.h5 --block 0", "digital.block (--block): must be between 1 and 1048576 symbols, got 0"},
    {"mse -q -o {d}/out.h5 --percentiles 101", "output.percentiles (--percentiles): each value must be between 0 and 100 %, got 101"},
    {"mse -q -o {d}/out.h5 --fast-iters 0", "solver_options.fast_iters (--fast-iters): must be between 1 and 10000 iterations, got 0"},
    {"mse -q -o {d}/out.h5 --devices phone+", "devices (--devices): empty term in 'phone+'"},
    {"mse -q -o {d}/out.h5 --devices 0*phone", "devices (--devices): bad count '0'"},
    {"mse -q -o {d}/out.h5 -N 4 --devices 2*phone", "channel.n_devices (--n-devices): N = 4 but only 2 devices are defined"},
    {"generate --steps 99999999999", "steps (--steps): '99999999999' is out of range"},
    {"latency -q -o {d}/out.h5 --tokens-per-step 0", "tokens_per_step (--tokens-per-step): must be between 1 and 1048576 tokens, got 0"},
    {"latency -q -o {d}/out.h5 --bits 65", "digital.bits (--bits): each value must be between 1 and 64 bits, got 65"},
    {"assign -q -o {d}/out.h5 --iterations 1e12", "ssca.iterations (--iterations): '1e12' is out of range"},
    {"assign -q -o {d}/out.h5 -N 2,4", "channel.n_devices (--n-devices): assign optimises one scenario, so it takes a single value"},
    {"mse -q -o {d}/out.h5 --shard 5/2", "--shard: expected i/n with 0 <= i < n (e.g. 0/4), got '5/2'"},
    // TOML keys and types.
    {"mse -q -o {d}/out.h5 {d}/typo.toml", "unknown field 'channel.n_rxx' (did you mean 'channel.n_rx'?)"},
    {"mse -q -o {d}/out.h5 {d}/string_count.toml", "realizations (--realizations)"},
    {"mse -q -o {d}/out.h5 {d}/mixed_list.toml", "channel.n_rx (--n-rx)"},
    {"mse -q -o {d}/out.h5 {d}/duplicate.toml", "duplicate.toml' line 2"},
    // Assignments the devices cannot hold, and the run settings.
    {"mse -q -o {d}/out.h5 --noise-mode physical --devices 2*phone --m 0.5,0.5 --model llama2-7b --tx-power-dbm 0",
     "m (--m): '0.5,0.5' gives device[0] (phone) m_n = 0.5 of the model"},
    {"compare -q -o {d}/out.h5 --resume --fresh", "--resume and --fresh: give one of them, not both"},
    {"ppl -q -o {d}/out.h5 --resume --fresh", "--resume and --fresh: give one of them, not both"},
    {"compare -q -o {d}/out.h5 -R 5 --target-rse 0.1 --min-realizations 10",
     "min_realizations (--min-realizations): 10 is more than realizations (--realizations) 5"},
    // A folder in the checkpoint's place that airtp did not make is left alone (an interrupted
    // run's checkpoint: tests/test_runs.cpp, Resume.ACheckpointNeedsResumeOrFresh).
    {"mse -q -o {d}/ck.h5", "checkpoint folder '{d}/ck.h5.ckpt' exists but was not made by airtp"},
    // Memory: a run larger than the memory available is refused before it allocates.
    {"mse -q -o {d}/out.h5 -R 100000000", "memory", 2, "AIRTP_MEMORY_LIMIT=50000000"},
    {"ppl -q -o {d}/out.h5 --model {d}/m.bin --tokenizer {t}", "memory", 2, "AIRTP_MEMORY_LIMIT=1000000"},
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
  ASSERT_EQ(::mkfifo((d / "fifo").c_str(), 0600), 0);
  fs::create_directories(d / "sub");
  fs::copy_file(airtp::model_test::model_path(), d / "m.bin");
  fs::copy_file(airtp::model_test::tokenizer_path(), d / "tok.bin");
  write(d / "story.txt", "Once upon a time there was a cat.\n");
  write(d / "good.toml", "[channel]\nn_devices = [2]\n");
  write(d / "empty.txt", "");
  write(d / "bad.gguf", std::string("GGUF\x03\x00\x00\x00garbage", 15));
  write(d / "nocommand.toml", "seed = 1\n");
  write(d / "badcommand.toml", "command = \"fly\"\n");
  write(d / "seed_text.toml", "seed = -3\n");
  write(d / "typo.toml", "[channel]\nn_rxx = 4\n");
  write(d / "string_count.toml", "realizations = \"many\"\n");
  write(d / "mixed_list.toml", "[channel]\nn_rx = [4, \"x\"]\n");
  write(d / "duplicate.toml", "seed = 1\nseed = 2\n");
  // An interrupted run's checkpoint (its folder is not empty).
  fs::create_directories(d / "ck.h5.ckpt");
  write(d / "ck.h5.ckpt" / "blocks.h5", "partial");
  // A real assignment file for the input-clash row.
  ASSERT_EQ(run_airtp("assign -q -N 2 --iterations 2 --batch 8 -o " + (d / "assign.h5").string()).code, 0);

  ASSERT_GE(std::size(kRows), 140u);
  for (const Row& row : kRows) {
    const std::string args = fill(row.args, d.string()), message = fill(row.message, d.string());
    std::string var;
    if (row.env) {
      const std::string e = row.env;
      var = e.substr(0, e.find('='));
      ::setenv(var.c_str(), e.substr(e.find('=') + 1).c_str(), 1);
    }
    const auto r = run_airtp(args);
    if (row.env) ::unsetenv(var.c_str());
    EXPECT_EQ(r.code, row.code) << "airtp " << args << "\n" << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos)
        << "airtp " << args << "\nexpected to mention: " << message << "\noutput: " << r.output;
    EXPECT_FALSE(fs::exists(d / "out.h5")) << "airtp " << args << " wrote a result file";
    fs::remove(d / "out.h5");
  }
  fs::remove_all(d);
}

// A full disk at the final write (here a file-size limit, which fails writes the same way
// with EFBIG): exit 3 naming the file, neither the result nor a temporary file is left, and
// the checkpoint keeps the work: --resume without the limit gives the result.
TEST(InvalidInputs, AFullDiskIsAnIoErrorThatLeavesNoFile) {
  const fs::path d = fs::temp_directory_path() / ("airtp_full_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  struct rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  struct rlimit small = old;
  small.rlim_cur = 16 * 1024;  // smaller than any result file
  const auto prev = std::signal(SIGXFSZ, SIG_IGN);
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  const auto r = run_airtp("mse -q -N 2 -R 64 --snr-db 0,10 -o " + (d / "out.h5").string());
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, prev);
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_NE(r.output.find("I/O error"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find((d / "out.h5").string()), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--resume"), std::string::npos) << r.output;
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(d))
    if (e.path().filename() != "out.h5.ckpt") left.push_back(e.path().filename().string());
  EXPECT_TRUE(left.empty()) << "left behind: " << (left.empty() ? "" : left[0]);
  const auto again = run_airtp("mse -q -N 2 -R 64 --snr-db 0,10 --resume -o " + (d / "out.h5").string());
  EXPECT_EQ(again.code, 0) << again.output;
  EXPECT_TRUE(fs::exists(d / "out.h5"));
  fs::remove_all(d);
}

// Sweep lists of any length the checks accept are written (long values go to datasets, not
// attributes): 4000 SNR points.
TEST(InvalidInputs, ALongSweepListIsWritten) {
  const fs::path d = fs::temp_directory_path() / ("airtp_long_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  std::string snr;
  for (int i = 0; i < 4000; ++i) snr += (i ? "," : "") + std::to_string(-20.0 + i * 0.01);
  const auto r = run_airtp("mse -q -N 2 -R 2 --n-rx 4 --snr-db " + snr + " -o " + (d / "long.h5").string());
  EXPECT_EQ(r.code, 0) << r.output.substr(0, 2000);
  EXPECT_TRUE(fs::exists(d / "long.h5"));
  fs::remove_all(d);
}
