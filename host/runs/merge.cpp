#include "host/runs/merge.hpp"

#include <algorithm>
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
      const SampleSet& a = c.samples;
      const SampleSet& b = got.front().samples;
      if (a.streams.size() != b.streams.size())
        throw InputError("shard '" + path + "': holds different sample streams than '" + first + "'");
      for (const auto& [name, st] : b.streams) {
        const auto it = a.streams.find(name);
        if (it == a.streams.end()) throw InputError("shard '" + path + "': lacks the samples '" + name + "' that '" + first + "' has");
        if (it->second.width != st.width || it->second.points.size() != st.points.size())
          throw InputError("shard '" + path + "': samples '" + name + "' have another shape than in '" + first + "'");
      }
    }
    if (h.index < 0 || h.index >= h.count) throw InputError("shard '" + path + "': index out of range");
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
    throw InputError("merge: missing shard(s) " + missing + " of " + std::to_string(h0.count) + " (run with --shard i/" +
                     std::to_string(h0.count) + ")");
  const Finalizer fin = finalizer_for(h0.shard_of);
  if (!fin) throw InputError("shard '" + shards.front() + "': runs of kind '" + h0.shard_of + "' cannot be merged by this airtp");

  // Per stream and point, the pieces of the shards in realization order, end to end.
  SampleSet all;
  for (const auto& [name, st0] : got.front().samples.streams) {
    SampleStream& dst = all.streams[name];
    dst.width = st0.width;
    dst.points.assign(st0.points.size(), PointSamples{});
    for (size_t p = 0; p < st0.points.size(); ++p) {
      std::vector<const PointSamples*> pieces;
      for (const ShardContents& c : got) {
        const PointSamples& ps = c.samples.streams.at(name).points[p];
        if (ps.count > 0) pieces.push_back(&ps);
      }
      std::sort(pieces.begin(), pieces.end(), [](auto* a, auto* b) { return a->begin < b->begin; });
      PointSamples& out = dst.points[p];
      for (const PointSamples* ps : pieces) {
        if (ps->begin != out.count)
          throw InputError("merge: samples '" + name + "' at grid point " + std::to_string(p) + " have a gap or an "
                           "overlap at realization " + std::to_string(out.count) + " (shards of different runs?)");
        out.values.insert(out.values.end(), ps->values.begin(), ps->values.end());
        out.count += ps->count;
      }
    }
  }
  RunInfo info{command_line, h0.config_toml, h0.seed, h0.backend, h0.device, h0.shard_of};
  ResultFile out(output, info);
  fin(h0.config_toml, all, out);
  out.attr("/", "merged_from_shards", (int64_t)h0.count);
  out.commit();
}

}  // namespace airtp
