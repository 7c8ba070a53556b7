// CPU backend: the designs with their G, channel matrices, per-device terms, and exact alpha of
// a given design — the host API of kernels/backend.hpp that the solvers, the assignment loop,
// the accuracy simulation and `compare --save-channels` use. OpenMP over realizations; every
// realization is computed alone from its counters, so results do not depend on the threads.
#include <omp.h>

#include <vector>

#include "kernels/alpha.cuh"
#include "kernels/backend.hpp"

namespace airtp {

namespace {
cplx* as_cplx(std::complex<double>* p) { return reinterpret_cast<cplx*>(p); }
const cplx* as_cplx(const std::complex<double>* p) { return reinterpret_cast<const cplx*>(p); }
}  // namespace

void design_batch_cpu(const AlphaParams& p, uint64_t first, long count, double* alpha, double* misalignment,
                      std::complex<double>* G_out) {
  if (count <= 0) return;
  const long per = alpha_scratch_size(p), nr = p.ch.n_rx, L = p.n_streams;
#pragma omp parallel
  {
    std::vector<cplx> buf((size_t)per);
#pragma omp for schedule(dynamic, 16)
    for (long i = 0; i < count; ++i) {
      Scratch ws{buf.data(), 1};
      CMat Hd[kMaxDevices], Ht[kMaxDevices], G;
      const AlphaOut a = alpha_realization(p, first + (uint64_t)i, ws, Hd, G, Ht);
      alpha[i] = a.alpha;
      if (misalignment) misalignment[i] = a.misalignment;
      cplx* g = as_cplx(G_out) + (size_t)i * nr * L;
      for (long l = 0; l < L; ++l)
        for (long r = 0; r < nr; ++r) g[l * nr + r] = a.alpha < INFINITY ? G(r, l) : cplx(0, 0);
    }
  }
}

namespace {
void channels_of(const ChannelParams& ch, uint64_t real, std::complex<double>* H, std::complex<double>* Hhat) {
  const long per = (long)ch.n_rx * ch.n_tx;
  for (int n = 0; n < ch.n_dev; ++n) {
    const CMat Hm{as_cplx(H) + (size_t)n * per, ch.n_rx, ch.n_tx, 1};
    gen_channel(ch, real, n, Hm);
    if (!Hhat) continue;
    const CMat Em{as_cplx(Hhat) + (size_t)n * per, ch.n_rx, ch.n_tx, 1};
    if (ch.csi_nmse > 0) {
      gen_estimate(ch, real, n, Hm, Em);
    } else {
      for (long k = 0; k < per; ++k) Em.p[k] = Hm.p[k];
    }
  }
}
}  // namespace

void channel_batch_cpu(const ChannelParams& ch, uint64_t first, long count, std::complex<double>* H,
                       std::complex<double>* Hhat) {
  const size_t per = (size_t)ch.n_dev * ch.n_rx * ch.n_tx;
  // A single realization is drawn without OpenMP: the SDR workers call this in forked child
  // processes, where libgomp's thread pool (inherited from the parent) must not be entered.
  if (count == 1) return channels_of(ch, first, H, Hhat);
#pragma omp parallel for schedule(static)
  for (long i = 0; i < count; ++i)
    channels_of(ch, first + (uint64_t)i, H + (size_t)i * per, Hhat ? Hhat + (size_t)i * per : nullptr);
}

void device_terms_cpu(const AlphaParams& p, const std::complex<double>* G, uint64_t first, long count, double* f) {
  const int N = p.ch.n_dev, nr = p.ch.n_rx, nt = p.ch.n_tx, L = p.n_streams;
#pragma omp parallel
  {
    std::vector<cplx> buf((size_t)2 * nr * nt + (size_t)nt * L + (size_t)L * L);
#pragma omp for schedule(dynamic, 16)
    for (long i = 0; i < count; ++i) {
      CMat H{buf.data(), nr, nt, 1}, Hh{buf.data() + (size_t)nr * nt, nr, nt, 1};
      CMat F{buf.data() + 2 * (size_t)nr * nt, nt, L, 1}, M{buf.data() + 2 * (size_t)nr * nt + (size_t)nt * L, L, L, 1};
      // G is read in place: the kernel matrices are column-major views.
      const CMat Gm{const_cast<cplx*>(as_cplx(G)) + (size_t)i * nr * L, nr, L, 1};
      for (int n = 0; n < N; ++n) {
        gen_channel(p.ch, first + (uint64_t)i, n, H);
        const CMat* Hd = &H;
        if (p.ch.csi_nmse > 0) {
          gen_estimate(p.ch, first + (uint64_t)i, n, H, Hh);
          Hd = &Hh;
        }
        matmul_ah(F, *Hd, Gm);
        matmul_ah(M, F, F);
        const double t = trace_inverse(M);
        f[(size_t)i * N + n] = t <= 1e300 ? t : INFINITY;
      }
    }
  }
}

double exact_alpha_cpu(const std::complex<double>* H, int n_dev, int n_rx, int n_tx, const double* E,
                       const std::complex<double>* G, int L) {
  std::vector<cplx> buf((size_t)n_tx * L + (size_t)L * L);
  CMat Hm[kMaxDevices];
  for (int n = 0; n < n_dev; ++n) Hm[n] = CMat{const_cast<cplx*>(as_cplx(H)) + (size_t)n * n_rx * n_tx, n_rx, n_tx, 1};
  const CMat Gm{const_cast<cplx*>(as_cplx(G)), n_rx, L, 1};
  CMat F{buf.data(), n_tx, L, 1}, M{buf.data() + (size_t)n_tx * L, L, L, 1};
  return alpha_of(Hm, n_dev, E, Gm, F, M);
}

double misalignment_cpu(const std::complex<double>* H, const std::complex<double>* Hhat, int n_dev, int n_rx,
                        int n_tx, const std::complex<double>* G, int L) {
  std::vector<cplx> buf(2 * (size_t)n_tx * L + 3 * (size_t)L * L);
  CMat Ht[kMaxDevices], Hd[kMaxDevices];
  for (int n = 0; n < n_dev; ++n) {
    Ht[n] = CMat{const_cast<cplx*>(as_cplx(H)) + (size_t)n * n_rx * n_tx, n_rx, n_tx, 1};
    Hd[n] = CMat{const_cast<cplx*>(as_cplx(Hhat)) + (size_t)n * n_rx * n_tx, n_rx, n_tx, 1};
  }
  const CMat Gm{const_cast<cplx*>(as_cplx(G)), n_rx, L, 1};
  Scratch ws{buf.data(), 1};
  CMat F = ws.take(n_tx, L), Fh = ws.take(n_tx, L), M = ws.take(L, L), Minv = ws.take(L, L), D = ws.take(L, L);
  return csi_misalignment(Ht, Hd, n_dev, Gm, F, Fh, M, Minv, D);
}

double uniform_draw(const RngKey& key, uint64_t real, uint64_t index) { return uniform01(key, real, index); }

void cnormal_batch(const RngKey& key, uint64_t real, uint64_t first_index, long count, std::complex<double>* out) {
  for (long k = 0; k < count; ++k) {
    const cplx z = cnormal(key, real, first_index + (uint64_t)k);
    out[k] = {z.re, z.im};
  }
}

}  // namespace airtp
