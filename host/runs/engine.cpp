#include "host/runs/engine.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>

#include "host/common/errors.hpp"
#include "host/common/memory.hpp"
#include "host/common/progress.hpp"

namespace airtp {

size_t grid_points(const std::vector<Axis>& axes) {
  size_t n = 1;
  for (const Axis& a : axes) n *= a.size();
  return n;
}

std::vector<size_t> grid_index(const std::vector<Axis>& axes, size_t point) {
  std::vector<size_t> idx(axes.size());
  for (size_t d = axes.size(); d-- > 0;) {
    const size_t s = std::max<size_t>(1, axes[d].size());
    idx[d] = point % s;
    point /= s;
  }
  return idx;
}

static size_t grid_flat(const std::vector<Axis>& axes, const std::vector<size_t>& idx) {
  size_t p = 0;
  for (size_t d = 0; d < axes.size(); ++d) p = p * std::max<size_t>(1, axes[d].size()) + idx[d];
  return p;
}

double mean_rse(const std::vector<double>& v) {
  double s = 0, q = 0;
  long n = 0;
  for (double x : v)
    if (std::isfinite(x)) s += x, q += x * x, ++n;
  if (n < 2) return INFINITY;
  const double mean = s / n;
  if (mean == 0) return INFINITY;
  const double var = std::max(0.0, (q - s * s / n) / (n - 1));
  return std::sqrt(var / n) / std::fabs(mean);
}

double plan_bytes(const RunPlan& plan) {
  double per_point = 0;
  for (const Job& j : plan.jobs)
    for (size_t k = 0; k < j.samples.size(); ++k) per_point += (double)j.width_of(k) * 8.0;
  // The samples, and one more copy of the largest stream while a summary works on it.
  return per_point * (double)plan.realizations * (double)grid_points(plan.axes) * 1.25 + plan.extra_bytes;
}

SampleSet run_plan(const RunPlan& plan, const RunControl& ctl) {
  check_memory(plan_bytes(plan), "this " + plan.label + " run", plan.reduce_hint);
  const size_t P = grid_points(plan.axes);
  const uint64_t R = plan.realizations;
  const bool early = plan.target_rse > 0;
  SampleSet set;
  for (const Job& j : plan.jobs)
    for (size_t k = 0; k < j.samples.size(); ++k) {
      SampleStream& st = set.streams[j.name + "/" + j.samples[k]];
      st.width = j.width_of(k);
      st.points.assign(P, PointSamples{});
    }
  // This process's share: a realization range of every point, or (early stopping, where a
  // point's length is only known once it ran) a range of whole points.
  uint64_t r_begin = 0, r_end = R;
  size_t p_begin = 0, p_end = P;
  if (ctl.shard.given || ctl.shard.count > 1) {
    if (early) {
      const RealizationRange pr = shard_range(ctl.shard, P);
      p_begin = (size_t)pr.begin, p_end = (size_t)pr.end;
    } else {
      const RealizationRange rr = shard_range(ctl.shard, R);
      r_begin = rr.begin, r_end = rr.end;
    }
  }
  // The point whose samples a job's point shares (its non-dependent axes at index 0).
  auto representative = [&](const Job& j, size_t p) {
    if (j.depends.empty()) return p;
    std::vector<size_t> idx = grid_index(plan.axes, p);
    for (size_t d = 0; d < idx.size() && d < j.depends.size(); ++d)
      if (!j.depends[d]) idx[d] = 0;
    return grid_flat(plan.axes, idx);
  };
  // Work: realizations x cost of every (job, representative point) this process computes.
  double total = 0;
  std::vector<std::vector<char>> needed(plan.jobs.size(), std::vector<char>(P, 0));
  for (size_t j = 0; j < plan.jobs.size(); ++j)
    for (size_t p = p_begin; p < p_end; ++p) {
      const size_t q = representative(plan.jobs[j], p);
      if (!needed[j][q]) total += (double)(r_end - r_begin) * plan.jobs[j].cost;
      needed[j][q] = 1;
    }
  Progress prog(plan.label, total, ctl.quiet);
  if (ctl.checkpoint && !ctl.quiet) {
    const size_t have = ctl.checkpoint->blocks();
    if (have > 0) prog.note("resuming: " + std::to_string(have) + " finished block(s) in " + ctl.checkpoint->dir());
  }
  const uint64_t min_count = plan.min_realizations > 0 ? plan.min_realizations : 0;
  double done = 0;
  std::vector<std::vector<char>> computed(plan.jobs.size(), std::vector<char>(P, 0));
  for (size_t p = p_begin; p < p_end; ++p) {
    for (size_t jj = 0; jj < plan.jobs.size(); ++jj) {
      const Job& job = plan.jobs[jj];
      const size_t q = representative(job, p);
      auto stream_at = [&](size_t k, size_t point) -> PointSamples& {
        return set.streams[job.name + "/" + job.samples[k]].points[point];
      };
      if (!computed[jj][q]) {
        computed[jj][q] = 1;
        const size_t K = job.samples.size();
        size_t Wsum = 0;
        std::vector<size_t> off(K + 1, 0);
        for (size_t k = 0; k < K; ++k) off[k + 1] = off[k] + job.width_of(k);
        Wsum = off[K];
        for (size_t k = 0; k < K; ++k) {
          stream_at(k, q).begin = r_begin;
          stream_at(k, q).count = 0;
          stream_at(k, q).values.clear();
        }
        const uint64_t need_min = std::max<uint64_t>(min_count, 2 * job.block);
        std::vector<double> rec;
        for (uint64_t r0 = r_begin; r0 < r_end;) {
          const uint64_t n = std::min<uint64_t>(job.block, r_end - r0);
          const std::string key = job.name + "_" + block_key(q, r0, n);
          rec.assign((size_t)(n * Wsum), 0.0);
          const bool loaded = ctl.checkpoint && ctl.checkpoint->load(key, rec.data(), rec.size());
          if (loaded) {
            prog.add_resumed((double)n * job.cost);
          } else {
            std::vector<double*> out(K);
            for (size_t k = 0; k < K; ++k) out[k] = rec.data() + off[k] * n;
            const double before = done;
            job.run(q, r0, n, out, [&](double f) { prog.update(before + std::clamp(f, 0.0, 1.0) * (double)n * job.cost); });
            for (double v : rec)
              if (std::isnan(v))
                throw NumericalError(plan.label + ": job '" + job.name + "' produced NaN at grid point " +
                                     std::to_string(q) + ", realizations " + std::to_string(r0) + ".." +
                                     std::to_string(r0 + n));
            if (ctl.checkpoint) ctl.checkpoint->save(key, rec.data(), rec.size());
          }
          for (size_t k = 0; k < K; ++k) {
            PointSamples& ps = stream_at(k, q);
            ps.values.insert(ps.values.end(), rec.begin() + (long)(off[k] * n), rec.begin() + (long)(off[k + 1] * n));
            ps.count += n;
          }
          done += (double)n * job.cost;
          prog.update(done);
          r0 += n;
          // Early stopping: the blocks so far decide, so the same point stops at the same block
          // in every run.
          const uint64_t have = stream_at(0, q).count;
          if (early && r0 < r_end && have >= need_min) {
            std::vector<const std::vector<double>*> vals;
            for (size_t k = 0; k < K; ++k) vals.push_back(&stream_at(k, q).values);
            const double rse = job.rse ? job.rse(q, vals, have) : mean_rse(*vals[0]);
            if (rse <= plan.target_rse) {
              const double skipped = (double)(r_end - r0) * job.cost;
              prog.set_total(prog.total() - skipped);
              break;
            }
          }
        }
      }
      if (q != p)
        for (size_t k = 0; k < job.samples.size(); ++k) stream_at(k, p) = stream_at(k, q);
    }
  }
  prog.finish();
  // Points outside this shard keep count 0 (merge fills them in).
  return set;
}

void check_complete(const RunPlan& plan, const SampleSet& s) {
  for (const Job& j : plan.jobs)
    for (const std::string& name : j.samples) {
      const auto it = s.streams.find(j.name + "/" + name);
      if (it == s.streams.end()) throw InputError("merge: the shards lack the samples " + j.name + "/" + name);
      const SampleStream& st = it->second;
      if (st.points.size() != grid_points(plan.axes))
        throw InputError("merge: samples " + j.name + "/" + name + " have " + std::to_string(st.points.size()) +
                         " points, the run has " + std::to_string(grid_points(plan.axes)));
      for (size_t p = 0; p < st.points.size(); ++p) {
        const PointSamples& ps = st.points[p];
        const bool ok = ps.begin == 0 && ps.values.size() == ps.count * st.width &&
                        (plan.target_rse > 0 ? ps.count >= 1 && ps.count <= plan.realizations
                                             : ps.count == plan.realizations);
        if (!ok)
          throw InputError("merge: samples " + j.name + "/" + name + " at grid point " + std::to_string(p) + " cover " +
                           std::to_string(ps.count) + " realizations from " + std::to_string(ps.begin) +
                           " (expected all " + std::to_string(plan.realizations) + ")");
      }
    }
}

void run_sequence(const std::string& label, int iterations, size_t record_size, const Checkpoint* ckpt, bool quiet,
                  const std::function<std::vector<double>(int)>& step,
                  const std::function<void(const std::vector<double>&, int)>& apply) {
  auto key = [](int tau) { return "it" + std::to_string(tau); };
  int start = 0;
  std::vector<double> rec(record_size);
  while (ckpt && start < iterations && ckpt->load(key(start), rec.data(), record_size)) apply(rec, start++);
  Progress prog(label, (double)iterations, quiet);
  if (start > 0) {
    prog.note("resuming after iteration " + std::to_string(start) + "/" + std::to_string(iterations) + " from " +
              ckpt->dir());
    prog.add_resumed((double)start);
  }
  for (int tau = start; tau < iterations; ++tau) {
    const std::vector<double> r = step(tau);
    if (r.size() != record_size) throw std::logic_error("run_sequence: a record of the wrong size");
    if (ckpt) ckpt->save(key(tau), r.data(), r.size());
    apply(r, tau);
    prog.update((double)tau + 1);
  }
  prog.finish();
}

}  // namespace airtp
