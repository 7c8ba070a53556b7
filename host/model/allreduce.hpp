// The all-reduce of tensor parallelism as a pluggable scheme. The forward pass hands each
// scheme the N devices' partial blocks (rows x dim, row-major) of one all-reduce and gets back
// the sum as that scheme delivers it: exact, quantized, or over a noisy channel.
// Each row is one token; in generation every token is its own forward step, so schemes that
// normalise or pick channels do so per row (row i sits at position ctx.pos0 + i).
// reduce() is const and thread-safe: the batch runs many sequences in parallel.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace airtp {

struct AllReduceContext {
  int layer = 0;
  int which = 0;             // 0: after the attention output projection, 1: after the MLP down projection
  uint64_t realization = 0;  // channel / noise realization of the batch item
  uint64_t sequence = 0;     // global sequence id (noise is keyed by it, not by batch position)
  int pos0 = 0;              // token position of row 0
};

class AllReduce {
 public:
  virtual ~AllReduce() = default;
  virtual std::string name() const = 0;
  // parts[n] points at device n's rows x dim block; out receives rows x dim.
  virtual void reduce(const float* const* parts, int n_dev, int rows, int dim, const AllReduceContext& ctx,
                      float* out) const = 0;
};

// The error-free sum (the reference).
class ExactAllReduce : public AllReduce {
 public:
  std::string name() const override { return "exact"; }
  void reduce(const float* const* parts, int n_dev, int rows, int dim, const AllReduceContext& ctx,
              float* out) const override;
};

// Digital all-reduce: each device quantizes every row of its block with a Q-bit uniform
// quantizer over [-a, a], a = that row's largest magnitude (sent as side information), and
// the server adds the dequantized blocks. Bit errors are not modelled (the paper's digital
// baseline runs at its Shannon rate); only quantization error enters.
class DigitalAllReduce : public AllReduce {
 public:
  explicit DigitalAllReduce(int bits);
  std::string name() const override { return "digital"; }
  int bits() const { return bits_; }
  void reduce(const float* const* parts, int n_dev, int rows, int dim, const AllReduceContext& ctx,
              float* out) const override;
  // Quantizes n values in place with range max|x| (exposed for tests).
  static void quantize(float* x, int n, int bits);

 private:
  int bits_;
};

}  // namespace airtp
