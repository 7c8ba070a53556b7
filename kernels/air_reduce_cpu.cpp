// CPU backend of the accuracy simulation's noisy all-reduces (kernels/air_reduce.cuh).
#include "kernels/air_reduce.cuh"
#include "kernels/backend.hpp"

namespace airtp {

void air_reduce_row_cpu(const AirRowParams& p, const AirRowLinks& links, const float* const* parts, float* out) {
  air_reduce_row(p, links, parts, out);
}

void digital_reduce_row_cpu(int n_dev, int dim, int bits, const float* const* parts, float* tmp, float* out) {
  digital_reduce_row(n_dev, dim, bits, parts, tmp, out);
}

}  // namespace airtp
