#include "host/model/allreduce_air.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "host/common/errors.hpp"
#include "kernels/aircomp_sim.cuh"

namespace airtp {

namespace {

using cf = std::complex<float>;

// Designs the link for channels H[0..nd-1] (all devices for AirComp, one for FDMA) of
// channel realization `real`: eigen receive beamformer (optionally refined by the fast
// solver), alpha at per-slot energy 1, ZF precoders, effective matrices.
AirLink design_link(const CMat* H, int nd, int nr, int nt, int L, const AirOptions& o, uint64_t real, cplx* buf) {
  Scratch ws{buf, 1};
  CMat G = ws.take(nr, L), Q = ws.take(nr, nr), P = ws.take(nr, nr), W = ws.take(nr, 3);
  CMat F = ws.take(nt, L), M = ws.take(L, L), Minv = ws.take(L, L), A = ws.take(nr, L), E = ws.take(L, L);
  CMat B[kMaxDevices];
  for (int n = 0; n < nd; ++n) B[n] = ws.take(nt, L);
  set_zero(Q);
  for (int n = 0; n < nd; ++n) add_gram(Q, H[n]);
  mirror_upper(Q);
  double energy[kMaxDevices];
  for (int n = 0; n < nd; ++n) energy[n] = 1.0;  // normalised mode: per-slot energy 1
  AirLink link0;
  if (!top_subspace(Q, G, P, W)) {
    link0.outage = true;
    return link0;
  }
  scale(G, 1.0 / std::sqrt((double)L));
  const double alpha = o.fast_design ? fast_design(H, nd, energy, o.fast, RngKey{o.seed, 0, kRngDesign}, real, G, ws)
                                     : alpha_of(H, nd, energy, G, F, M);
  AirLink link;
  link.alpha = alpha;
  if (!(alpha <= 1e300)) {
    link.outage = true;
    return link;
  }
  for (int l = 0; l < L; ++l)
    for (int r = 0; r < nr; ++r) A(r, l) = std::sqrt(alpha) * G(r, l);
  if (!zf_precoders(H, nd, A, B, F, M, Minv)) {
    link.outage = true;
    return link;
  }
  link.E.resize((size_t)nd * L * L);
  for (int n = 0; n < nd; ++n) {
    matmul_ah(F, H[n], A);     // F = H_n^H A, so F^H = A^H H_n
    matmul_ah(E, F, B[n]);     // E = A^H H_n B_n
    for (int i = 0; i < L; ++i)
      for (int j = 0; j < L; ++j) link.E[((size_t)n * L + i) * L + j] = cf((float)E(i, j).re, (float)E(i, j).im);
  }
  link.AH.resize((size_t)L * nr);
  for (int l = 0; l < L; ++l)
    for (int r = 0; r < nr; ++r) link.AH[(size_t)l * nr + r] = cf((float)A(r, l).re, (float)-A(r, l).im);
  matmul_ah(M, A, A);
  if (!cholesky(M)) {
    link.outage = true;
    return link;
  }
  link.C.assign((size_t)L * L, cf(0, 0));
  for (int i = 0; i < L; ++i)
    for (int j = 0; j <= i; ++j) link.C[(size_t)i * L + j] = cf((float)M(i, j).re, (float)M(i, j).im);
  return link;
}

}  // namespace

AirAllReduceBase::AirAllReduceBase(const AirOptions& o, bool fdma) : o_(o), fdma_(fdma) {
  L_ = o.streams > 0 ? o.streams : o.n_tx;
  if (o.n_dev < 1 || o.n_dev > kMaxDevices) throw InputError("--devices: must be in 1.." + std::to_string(kMaxDevices));
  if (o.n_rx < 1 || o.n_rx > kMaxRx) throw InputError("--nr: must be in 1.." + std::to_string(kMaxRx));
  if (o.n_tx < 1 || o.n_tx > kMaxTx) throw InputError("--nt: must be in 1.." + std::to_string(kMaxTx));
  if (L_ < 1 || L_ > kMaxStreams || L_ > o.n_tx || L_ > o.n_rx)
    throw InputError("--streams: L = " + std::to_string(L_) + " must be in 1..min(N_t, N_r)");
  if (!std::isfinite(o.snr_db)) throw InputError("--snr: must be finite");
  if (o.max_pos < 1 || o.n_realizations < 1 || o.n_layers < 1) throw InputError("aircomp: empty channel grid");
  sigma2_ = std::pow(10.0, -o.snr_db / 10.0);
  // Topology, drawn once per seed: angles of arrival/departure (normalised mode: beta = 1).
  const RngKey topo{o.seed, 0, kRngTopology};
  for (int n = 0; n < o.n_dev; ++n) {
    theta_[n] = (uniform01(topo, 0, 2 * n) - 0.5) * 2.0 * M_PI / 3.0;  // within +-60 degrees
    phi_[n] = (uniform01(topo, 0, 2 * n + 1) - 0.5) * 2.0 * M_PI / 3.0;
  }
  const long per_pos = o.coherence == Coherence::per_token ? 1 : 2L * o.n_layers;
  const long n_chan = (long)o.n_realizations * o.max_pos * per_pos;
  const int links_per = fdma ? o.n_dev : 1;
  links_.resize((size_t)(n_chan * links_per));
  ChannelParams ch;
  ch.n_dev = o.n_dev;
  ch.n_rx = o.n_rx;
  ch.n_tx = o.n_tx;
  ch.k_factor = std::pow(10.0, o.k_db / 10.0);
  for (int n = 0; n < o.n_dev; ++n) {
    ch.beta[n] = 1.0;
    ch.theta[n] = theta_[n];
    ch.phi[n] = phi_[n];
  }
  ch.key = RngKey{o.seed, 0, kRngChannel};
  const long per_buf = (long)o.n_dev * o.n_rx * o.n_tx + 2L * o.n_rx * o.n_rx + 4L * o.n_rx * L_ + 8L * o.n_tx * L_ +
                       8L * L_ * L_ + (long)o.n_dev * o.n_tx * L_ + 3L * o.n_rx +
                       fast_scratch_size(o.n_rx, o.n_tx, L_);
  const int nr = o.n_rx, nt = o.n_tx, N = o.n_dev, L = L_;
#pragma omp parallel
  {
    std::vector<cplx> hbuf((size_t)N * nr * nt), buf((size_t)per_buf);
#pragma omp for schedule(dynamic, 16)
    for (long c = 0; c < n_chan; ++c) {
      CMat H[kMaxDevices];
      for (int n = 0; n < N; ++n) {
        H[n] = CMat{hbuf.data() + (size_t)n * nr * nt, nr, nt, 1};
        gen_channel(ch, (uint64_t)c, n, H[n]);
      }
      if (fdma) {
        for (int n = 0; n < N; ++n) links_[(size_t)c * N + n] = design_link(&H[n], 1, nr, nt, L, o, (uint64_t)c, buf.data());
      } else {
        links_[(size_t)c] = design_link(H, N, nr, nt, L, o, (uint64_t)c, buf.data());
      }
    }
  }
}

double AirAllReduceBase::mean_alpha() const {
  double s = 0;
  long k = 0;
  for (const AirLink& l : links_)
    if (!l.outage) {
      s += l.alpha;
      ++k;
    }
  return k ? s / k : INFINITY;
}

long AirAllReduceBase::outages() const {
  long k = 0;
  for (const AirLink& l : links_) k += l.outage;
  return k;
}

size_t AirAllReduceBase::link_index(uint64_t realization, int pos, int layer, int which) const {
  if (realization >= (uint64_t)o_.n_realizations || pos < 0 || pos >= o_.max_pos)
    throw InputError("aircomp: realization " + std::to_string(realization) + " / position " + std::to_string(pos) +
                     " outside the prepared channel grid (" + std::to_string(o_.n_realizations) + " x " +
                     std::to_string(o_.max_pos) + ")");
  size_t c = (size_t)realization * o_.max_pos + pos;
  if (o_.coherence == Coherence::per_allreduce) c = (c * o_.n_layers + layer) * 2 + which;
  return c * (fdma_ ? o_.n_dev : 1);
}

void AirAllReduceBase::reduce(const float* const* parts, int n_dev, int rows, int dim, const AllReduceContext& ctx,
                              float* out) const {
  if (n_dev != o_.n_dev) throw InputError("aircomp: configured for " + std::to_string(o_.n_dev) + " devices, got " +
                                          std::to_string(n_dev));
  const int L = L_, nr = o_.n_rx, N = n_dev;
  const int L0 = (dim + 1) / 2, slots = (L0 + L - 1) / L, nsym = slots * L;
  const int nd = o_.literal_noise ? nr : L;  // noise draws per slot
  const float sd = (float)std::sqrt(sigma2_);
  const RngKey key{o_.seed, (uint32_t)ctx.realization, kRngNoise};
  std::vector<cf> s((size_t)N * nsym), shat(nsym), w(nd);
  std::vector<float> scale(N);
  for (int r = 0; r < rows; ++r) {
    const int pos = ctx.pos0 + r;
    const size_t li = link_index(ctx.realization, pos, ctx.layer, ctx.which);
    // Pack pairs into symbols and measure each device's RMS.
    for (int n = 0; n < N; ++n) {
      const float* z = parts[n] + (size_t)r * dim;
      double e = 0;
      for (int k = 0; k < nsym; ++k) {
        const float re = 2 * k < dim ? z[2 * k] : 0.f;
        const float im = 2 * k + 1 < dim ? z[2 * k + 1] : 0.f;
        s[(size_t)n * nsym + k] = cf(re, im);
        e += (double)re * re + (double)im * im;
      }
      scale[n] = (float)std::sqrt(e / L0);
    }
    float* o = out + (size_t)r * dim;
    std::fill(o, o + dim, 0.f);
    // AirComp: one common scale. FDMA: each device its own scale and its own link.
    const int n_links = fdma_ ? N : 1;
    const float vmax = *std::max_element(scale.begin(), scale.end());
    for (int g = 0; g < n_links; ++g) {
      const AirLink& link = links_[li + g];
      const float v = fdma_ ? scale[g] : vmax;
      if (link.outage || !(v > 0)) continue;  // an outage delivers nothing; a zero block needs nothing
      const int d0 = fdma_ ? g : 0, d1 = fdma_ ? g + 1 : N;
      const uint64_t base = ((((uint64_t)pos * o_.n_layers + ctx.layer) * 2 + ctx.which) * n_links + g) * slots;
      for (int t = 0; t < slots; ++t) {
        for (int l = 0; l < L; ++l) shat[l] = 0;
        for (int d = d0; d < d1; ++d) {
          const cf* E = link.E.data() + (size_t)(d - d0) * L * L;
          const cf* sd_ = s.data() + (size_t)d * nsym + (size_t)t * L;
          for (int i = 0; i < L; ++i) {
            cf acc = 0;
            for (int j = 0; j < L; ++j) acc += E[i * L + j] * sd_[j];
            shat[i] += acc / v;
          }
        }
        for (int k = 0; k < nd; ++k) {
          const cplx z = cnormal(key, ctx.sequence, (base + t) * nd + k);
          w[k] = cf((float)z.re * sd, (float)z.im * sd);
        }
        const cf* M = o_.literal_noise ? link.AH.data() : link.C.data();
        for (int i = 0; i < L; ++i) {
          cf acc = 0;
          for (int k = 0; k < nd; ++k) acc += M[(size_t)i * nd + k] * w[k];
          shat[i] += acc;
        }
        for (int i = 0; i < L; ++i) {
          const int k = t * L + i;
          if (2 * k < dim) o[2 * k] += v * shat[i].real();
          if (2 * k + 1 < dim) o[2 * k + 1] += v * shat[i].imag();
        }
      }
    }
  }
}

}  // namespace airtp
