// Checkpoints of long runs (`--resume`): finished blocks of samples are saved, each as its
// own file written under a temporary name and renamed into place, in a folder next to the
// output (OUTPUT.ckpt/). A run killed at any moment (even kill -9) leaves only complete
// blocks there; a resumed run loads them instead of recomputing. The folder records the
// run it belongs to (config fingerprint, shard, backend) and a resume refuses a mismatch.
#pragma once
#include <cstdint>
#include <string>

namespace airtp {

// Name of the checkpoint block holding realizations [first, first + count) of point `point`:
// "p<point>_r<first>_n<count>" (commands prefix it with the sample's name where they hold several).
std::string block_key(size_t point, uint64_t first, uint64_t count);

class Checkpoint {
 public:
  // resume = false starts afresh (an old checkpoint of this output is discarded).
  Checkpoint(const std::string& output_path, const std::string& run_id, bool resume);

  // True (and `out` filled) when block `key` of n values was saved by this run or an earlier one.
  bool load(const std::string& key, double* out, size_t n) const;
  void save(const std::string& key, const double* data, size_t n) const;
  // Called once the result file is committed: the checkpoint is no longer needed.
  void remove() const;
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

}  // namespace airtp
