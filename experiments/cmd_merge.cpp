// airtp merge: combines the shard files of a `--shard i/n` run into its result file.
#include <iostream>

#include "experiments/commands.hpp"
#include "host/runs/merge.hpp"

namespace airtp {
namespace {

const bool registered = register_command({"merge", "Merge the shard files of a --shard i/n run into one result file",
                                          [](CLI::App& sub) -> std::function<int()> {
  auto output = std::make_shared<std::string>();
  auto shards = std::make_shared<std::vector<std::string>>();
  auto quiet = std::make_shared<bool>(false);
  sub.add_option("output", *output, "merged result file (HDF5)")->required();
  sub.add_option("shards", *shards, "shard files, one per index 0..n-1")->required();
  sub.add_flag("-q,--quiet", *quiet, "no summary line");
  return [output, shards, quiet] {
    merge_shards(*output, *shards, command_line(), [](const std::string& kind) -> Finalizer {
      const Command* c = find_command(kind);
      return c ? c->finalize : Finalizer{};
    });
    if (!*quiet) std::cerr << "merge: wrote " << *output << " from " << shards->size() << " shards\n";
    return 0;
  };
}});

}  // namespace
}  // namespace airtp
