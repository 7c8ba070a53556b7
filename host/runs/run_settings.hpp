// How a command runs, the same in every command: the engine's fields (realizations, early
// stopping, backend) and the flags that are not part of the configuration (output, shard,
// resume, fresh, quiet), plus the one driver that turns a declared plan into a result file or
// a shard file.
//
//   realizations       --realizations, -R    realizations per point (the cap with --target-rse)
//   target_rse         --target-rse          stop a point once the relative standard error of its mean is <= X
//   min_realizations   --min-realizations    never stop before this many
//   backend            --backend             auto | cpu | cuda
//   -o, --output  --shard i/n  --resume  --fresh  -q, --quiet   (flags only)
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "host/config/fields.hpp"
#include "host/io/result_file.hpp"
#include "host/runs/engine.hpp"
#include "kernels/backend.hpp"

namespace airtp {

struct RunSettings {
  long realizations = 4096;
  double target_rse = 0;
  long min_realizations = 0;
  std::string backend = "auto";
  std::string output;   // default set by the command: results/<command>.h5
  std::string shard;    // "i/n"
  bool resume = false, fresh = false, quiet = false;
};

struct RunFieldParts {
  bool monte_carlo = true;  // realizations, target_rse, min_realizations
  bool backend = true;
  bool shard = true;        // --shard (commands whose work splits)
  bool checkpoint = true;   // --resume, --fresh
};

void add_run_fields(FieldTable& t, RunSettings& r, const RunFieldParts& parts = {});

// Checks the flags' combinations (e.g. --resume with --fresh); InputError.
void validate(const RunSettings& r);

// The backend the settings name, checked (InputError when cuda is asked for and absent).
Backend run_backend(const RunSettings& r);

// The run description every result file carries.
RunInfo run_info(const std::string& kind, const std::string& config_toml, uint64_t seed, Backend b);

// Runs `plan` as `r` says: checks the output path, takes the checkpoint, runs this process's
// shard and writes either the shard file or, through `write`, the result file; removes the
// checkpoint once the file is committed. `inputs` are the files the run reads (the output
// must not be one of them).
void execute_plan(const std::string& kind, const RunPlan& plan, const std::string& config_toml, uint64_t seed,
                  Backend b, const RunSettings& r, const std::vector<std::string>& inputs,
                  const std::function<void(const SampleSet&, ResultFile&)>& write);

}  // namespace airtp
