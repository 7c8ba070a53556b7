#include "host/model/allreduce.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "host/common/errors.hpp"
#include "kernels/backend.hpp"

namespace airtp {

void ExactAllReduce::reduce(const float* const* parts, int n_dev, int rows, int dim, const AllReduceContext&,
                            float* out) const {
  const long n = (long)rows * dim;
  std::memcpy(out, parts[0], n * sizeof(float));
  for (int d = 1; d < n_dev; ++d)
    for (long i = 0; i < n; ++i) out[i] += parts[d][i];
}

DigitalAllReduce::DigitalAllReduce(int bits) : bits_(bits) {
  if (bits < 1 || bits > 24) throw InputError("--bits: " + std::to_string(bits) + " not in 1..24");
}

void DigitalAllReduce::quantize(float* x, int n, int bits) {
  // 2^Q levels spread evenly over [-a, a], both ends included (kernels/quantize.cuh, shared
  // with the digital scheme of `airtp mse`).
  quantize_uniform_f32(x, n, bits);
}

void DigitalAllReduce::reduce(const float* const* parts, int n_dev, int rows, int dim, const AllReduceContext&,
                              float* out) const {
  // Per row, the same code as the GPU forward (kernels/air_reduce.cuh, digital_reduce_row).
  std::vector<float> tmp(dim);
  std::vector<const float*> row(n_dev);
  for (int r = 0; r < rows; ++r) {
    for (int d = 0; d < n_dev; ++d) row[d] = parts[d] + (long)r * dim;
    digital_reduce_row_cpu(n_dev, dim, bits_, row.data(), tmp.data(), out + (long)r * dim);
  }
}

}  // namespace airtp
