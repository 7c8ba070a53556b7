#include "host/runs/run_settings.hpp"

#include "host/common/backend_select.hpp"
#include "host/common/command_line.hpp"
#include "host/common/errors.hpp"
#include "host/io/output_path.hpp"
#include "host/runs/checkpoint.hpp"
#include "host/runs/shard_file.hpp"

namespace airtp {

void add_run_fields(FieldTable& t, RunSettings& r, const RunFieldParts& parts) {
  if (parts.monte_carlo) {
    t.add("realizations", "--realizations", &r.realizations, "realizations",
          "realizations per point (the cap when target_rse stops points early)")
        .range(1, 17179869184.0)
        .short_name("-R");
    t.add("target_rse", "--target-rse", &r.target_rse, "1",
          "stop a point once the relative standard error of its mean is at most this (0: off; the count reached is "
          "recorded per point)")
        .range(0, 1);
    t.add("min_realizations", "--min-realizations", &r.min_realizations, "realizations",
          "with target_rse: never stop a point before this many (0: two blocks)")
        .range(0, 17179869184.0);
  }
  if (parts.backend) t.add("backend", "--backend", &r.backend, "", "where the kernels run").one_of({"auto", "cpu", "cuda"});
  t.add("", "--output", &r.output, "", "result file (HDF5)").only_flag().short_name("-o").alias("--out");
  if (parts.shard)
    t.add("", "--shard", &r.shard, "",
          "i/n: compute only piece i of n into a shard file for `airtp merge` (realization ranges; whole points with "
          "--target-rse)")
        .only_flag();
  if (parts.checkpoint) {
    t.add("", "--resume", &r.resume, "", "continue an interrupted run from its checkpoint (OUTPUT.ckpt/)").only_flag();
    t.add("", "--fresh", &r.fresh, "", "discard a checkpoint an interrupted run left and start afresh").only_flag();
  }
  t.add("", "--quiet", &r.quiet, "", "no progress output").only_flag().short_name("-q");
}

void validate(const RunSettings& r) {
  if (r.resume && r.fresh) throw InputError("--resume and --fresh: give one of them, not both");
  if (r.target_rse > 0 && r.min_realizations > r.realizations)
    throw InputError("min_realizations (--min-realizations): " + std::to_string(r.min_realizations) +
                     " is more than realizations (--realizations) " + std::to_string(r.realizations));
}

Backend run_backend(const RunSettings& r) { return select_backend(r.backend); }

RunInfo run_info(const std::string& kind, const std::string& config_toml, uint64_t seed, Backend b) {
  return RunInfo{command_line(), config_toml, seed, backend_name(b), device_description(b), kind};
}

void execute_plan(const std::string& kind, const RunPlan& plan, const std::string& toml, uint64_t seed, Backend b,
                  const RunSettings& r, const std::vector<std::string>& inputs,
                  const std::function<void(const SampleSet&, ResultFile&)>& write) {
  check_output_path(r.output, inputs);
  const ShardSpec shard = r.shard.empty() ? ShardSpec{} : parse_shard("--shard", r.shard);
  const CheckpointMode mode = r.resume ? CheckpointMode::resume : r.fresh ? CheckpointMode::fresh : CheckpointMode::start;
  // Finished blocks are always checkpointed (cheap); --resume decides whether they are used.
  const Checkpoint ckpt(r.output, run_identity(kind, toml, shard, backend_name(b)), mode);
  RunControl ctl;
  ctl.shard = shard;
  ctl.checkpoint = &ckpt;
  ctl.quiet = r.quiet;
  const SampleSet samples = run_plan(plan, ctl);
  try {
    if (shard.given) {
      ResultFile out(r.output, run_info("shard", toml, seed, b));
      write_shard(out, make_shard_header(kind, toml, seed, backend_name(b), shard), samples);
      out.commit();
    } else {
      ResultFile out(r.output, run_info(kind, toml, seed, b));
      write(samples, out);
      out.commit();
    }
  } catch (const IoError& e) {
    // The work is not lost: the checkpoint holds every finished block.
    throw IoError(std::string(e.what()) + "; the finished work is kept in '" + r.output +
                  ".ckpt/': rerun the same command with --resume once there is room");
  }
  ckpt.remove();
}

}  // namespace airtp
