// CPU backend of link_batch (kernels/link.cuh): OpenMP over realizations.
#include <omp.h>

#include <vector>

#include "kernels/backend.hpp"
#include "kernels/link.cuh"

namespace airtp {

void link_batch_cpu(const AlphaParams& p, const double* alpha, const std::complex<double>* G, uint64_t first,
                    long count, const LinkArrays& out) {
  const long per = link_scratch_size(p), N = p.ch.n_dev, L = p.n_streams, nr = p.ch.n_rx;
  const cplx* g = reinterpret_cast<const cplx*>(G);
#pragma omp parallel
  {
    std::vector<cplx> buf((size_t)per);
#pragma omp for schedule(dynamic, 16)
    for (long i = 0; i < count; ++i) {
      Scratch ws{buf.data(), 1};
      const bool ok = link_realization(p, first + (uint64_t)i, alpha[i], g + (size_t)i * nr * L, ws,
                                       out.E + (size_t)i * N * L * L, out.AH + (size_t)i * L * nr,
                                       out.C + (size_t)i * L * L);
      out.outage[i] = ok ? 0 : 1;
    }
  }
}

}  // namespace airtp
