// CPU backend of the digital all-reduce's quantization (kernels/quantize.cuh).
#include <omp.h>

#include <vector>

#include "kernels/backend.hpp"
#include "kernels/quantize.cuh"

namespace airtp {

void digital_mse_batch(const RngKey& key, uint64_t first, long count, int n_dev, int block, const int* bits,
                       int n_bits, double per_symbols, double* const* out) {
#pragma omp parallel
  {
    std::vector<double> sym(2 * (size_t)block), err(2 * (size_t)block * n_bits), o((size_t)n_bits);
#pragma omp for schedule(static)
    for (long i = 0; i < count; ++i) {
      digital_mse_realization(key, first + (uint64_t)i, n_dev, block, bits, n_bits, per_symbols, sym.data(),
                              err.data(), o.data());
      for (int q = 0; q < n_bits; ++q) out[q][i] = o[(size_t)q];
    }
  }
}

void quantize_uniform_f32(float* x, int n, int bits) { quantize_uniform(x, n, bits); }

}  // namespace airtp
