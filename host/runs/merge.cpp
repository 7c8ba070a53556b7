#include "host/runs/merge.hpp"

#include <map>

#include "host/common/errors.hpp"
#include "host/runs/shard_file.hpp"

namespace airtp {

static void same(const std::string& file, const std::string& first, const std::string& what, const std::string& a,
                 const std::string& b) {
  if (a != b)
    throw InputError("shard '" + file + "': " + what + " is " + a + " but '" + first + "' has " + b +
                     " (shards of different runs cannot be merged)");
}

void merge_shards(const std::string& output, const std::vector<std::string>& shards, const std::string& command_line,
                  const std::function<Finalizer(const std::string& kind)>& finalizer_for) {
  if (shards.empty()) throw InputError("merge: no shard files given");
  std::vector<ShardContents> got;
  std::map<int, std::string> by_index;
  for (const std::string& path : shards) {
    ShardContents c = read_shard(path);
    const ShardHeader& h = c.header;
    if (!got.empty()) {
      const ShardHeader& f = got.front().header;
      const std::string& first = shards.front();
      same(path, first, "kind", "'" + h.shard_of + "'", "'" + f.shard_of + "'");
      same(path, first, "seed", std::to_string(h.seed), std::to_string(f.seed));
      same(path, first, "shard count", std::to_string(h.count), std::to_string(f.count));
      same(path, first, "config fingerprint", h.fingerprint, f.fingerprint);
      same(path, first, "backend", h.backend, f.backend);
      same(path, first, "realizations per point", std::to_string(h.total), std::to_string(f.total));
      same(path, first, "number of configuration points", std::to_string(c.samples.points),
           std::to_string(got.front().samples.points));
      if (c.samples.data.size() != got.front().samples.data.size())
        throw InputError("shard '" + path + "': holds different sample sets than '" + first + "'");
      for (const auto& kv : got.front().samples.data)
        if (!c.samples.data.count(kv.first))
          throw InputError("shard '" + path + "': lacks samples/" + kv.first + " that '" + first + "' has");
    }
    if (h.index < 0 || h.index >= h.count) throw InputError("shard '" + path + "': index out of range");
    ShardSpec spec;
    spec.index = h.index;
    spec.count = h.count;
    const RealizationRange r = shard_range(spec, h.total);
    if (r.begin != h.begin || r.end != h.end)
      throw InputError("shard '" + path + "': realization range does not match shard " + std::to_string(h.index) + "/" +
                       std::to_string(h.count));
    if (by_index.count(h.index))
      throw InputError("shard '" + path + "': duplicate of shard " + std::to_string(h.index) + "/" +
                       std::to_string(h.count) + " already given by '" + by_index[h.index] + "'");
    by_index[h.index] = path;
    got.push_back(std::move(c));
  }
  const ShardHeader& h0 = got.front().header;
  std::string missing;
  for (int i = 0; i < h0.count; ++i)
    if (!by_index.count(i)) missing += (missing.empty() ? "" : ", ") + std::to_string(i);
  if (!missing.empty())
    throw InputError("merge: missing shard(s) " + missing + " of " + std::to_string(h0.count) +
                     " (run with --shard i/" + std::to_string(h0.count) + ")");
  const Finalizer fin = finalizer_for(h0.shard_of);
  if (!fin) throw InputError("shard '" + shards.front() + "': runs of kind '" + h0.shard_of + "' cannot be merged by this airtp");

  SampleSet all;
  all.points = got.front().samples.points;
  all.begin = 0;
  all.end = h0.total;
  const size_t R = (size_t)h0.total;
  for (const auto& kv : got.front().samples.data) all.data[kv.first].assign(all.points * R, 0.0);
  for (const ShardContents& c : got) {
    const size_t n = (size_t)c.samples.count();
    for (const auto& [name, v] : c.samples.data) {
      std::vector<double>& dst = all.data[name];
      for (size_t p = 0; p < all.points; ++p)
        std::copy(v.begin() + p * n, v.begin() + (p + 1) * n, dst.begin() + p * R + c.samples.begin);
    }
  }
  RunInfo info{command_line, h0.config_toml, h0.seed, h0.backend, h0.device, h0.shard_of};
  ResultFile out(output, info);
  fin(h0.config_toml, all, out);
  out.attr("/", "merged_from_shards", (int64_t)h0.count);
  out.commit();
}

}  // namespace airtp
