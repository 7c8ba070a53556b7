// Checkpoints of long runs (`--resume`): finished blocks of samples are saved, each as its
// own file written under a temporary name and renamed into place, in a folder next to the
// output (OUTPUT.ckpt/). A run killed at any moment (even kill -9) leaves only complete
// blocks there; a resumed run loads them instead of recomputing. The folder records the
// run it belongs to (config fingerprint, shard, backend) and a resume refuses a mismatch.
//
// Nothing is thrown away silently: a run that finds a checkpoint of its output without
// --resume stops and says to pass --resume (continue) or --fresh (discard it). A lock held
// for the process's lifetime (flock on OUTPUT.ckpt/lock, released by the kernel however the
// process ends) refuses a second run on an output another live run is writing.
#pragma once
#include <cstdint>
#include <string>

namespace airtp {

// Name of the checkpoint block holding realizations [first, first + count) of point `point`:
// "p<point>_r<first>_n<count>" (commands prefix it with the sample's name where they hold several).
std::string block_key(size_t point, uint64_t first, uint64_t count);

enum class CheckpointMode {
  start,   // a new run: refuse if a checkpoint of this output exists
  resume,  // continue the checkpoint of this run (or start one)
  fresh,   // discard any checkpoint of this output and start afresh
};

class Checkpoint {
 public:
  Checkpoint(const std::string& output_path, const std::string& run_id, CheckpointMode mode);
  ~Checkpoint();
  Checkpoint(const Checkpoint&) = delete;
  Checkpoint& operator=(const Checkpoint&) = delete;

  // True (and `out` filled) when block `key` of n values was saved by this run or an earlier one.
  bool load(const std::string& key, double* out, size_t n) const;
  void save(const std::string& key, const double* data, size_t n) const;
  // Blocks found in the folder (for the "resuming" note).
  size_t blocks() const;
  // Called once the result file is committed: the checkpoint is no longer needed.
  void remove() const;
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  int lock_fd_ = -1;
};

}  // namespace airtp
