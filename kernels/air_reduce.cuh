// The noisy all-reduces of the accuracy simulation, one token row at a time, shared by both
// backends: the CPU path (host/model/allreduce_air.cpp, allreduce.cpp through
// kernels/air_reduce_cpu.cpp) and the GPU forward pass (kernels/air_reduce_cuda.cu) run this
// same code, so they produce the same estimates from the same random numbers.
//
// Payload (SPEC §3): the row's dim reals of each device become L_0 = ceil(dim/2) complex
// symbols (consecutive pairs), sent in ceil(L_0/L) slots of L streams (the last slot padded with
// zeros). AirComp: one common scale v (the largest per-device RMS of the symbols), s_n = z_n / v,
// per slot s_hat = sum_n E_n s_n + M w with E_n = A^H H_n B_n and M = A^H (literal noise, w of
// N_r draws) or the Cholesky factor of A^H A (projected noise, L draws), estimate v * s_hat.
// FDMA: each device its own scale and its own single-device link; the server adds the N
// estimates. Digital: each device quantizes its row with Q bits over [-a, a], a = max |x|.
#pragma once
#include "kernels/quantize.cuh"
#include "kernels/rng.cuh"

namespace airtp {

// cfloat, AirRowParams and AirRowLinks are in kernels/params.hpp.
AIRTP_INLINE cfloat cf_mul(cfloat a, cfloat b) { return {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re}; }

// One row: parts[n] points at device n's dim reals, out receives dim reals (overwritten).
AIRTP_INLINE void air_reduce_row(const AirRowParams& p, const AirRowLinks& k, const float* const* parts, float* out) {
  const int N = p.n_dev, L = p.L, dim = p.dim;
  const int L0 = (dim + 1) / 2, slots = (L0 + L - 1) / L;
  const int nd = p.literal ? p.n_rx : L;
  const int n_links = p.fdma ? N : 1, per_link = p.fdma ? 1 : N;
  float scale[kMaxDevices];
  for (int n = 0; n < N; ++n) {
    double e = 0;
    for (int i = 0; i < dim; ++i) e += (double)parts[n][i] * parts[n][i];
    scale[n] = (float)sqrt(e / L0);
  }
  float vmax = 0;
  for (int n = 0; n < N; ++n) vmax = scale[n] > vmax ? scale[n] : vmax;
  for (int i = 0; i < dim; ++i) out[i] = 0.f;
  for (int g = 0; g < n_links; ++g) {
    const float v = p.fdma ? scale[g] : vmax;
    if (k.outage[g] || !(v > 0)) continue;  // an outage delivers nothing; a zero block needs nothing
    const cfloat* E = k.E + (long)g * per_link * L * L;
    const cfloat* M = k.M + (long)g * L * nd;
    const int d0 = p.fdma ? g : 0, d1 = p.fdma ? g + 1 : N;
    const float inv = 1.0f / v;
    const uint64_t base = (p.noise_base * n_links + g) * slots;
    for (int t = 0; t < slots; ++t) {
      cfloat shat[kMaxStreams];
      for (int i = 0; i < L; ++i) shat[i] = {0.f, 0.f};
      for (int d = d0; d < d1; ++d) {
        const cfloat* Ed = E + (long)(d - d0) * L * L;
        cfloat s[kMaxStreams];
        for (int j = 0; j < L; ++j) {
          const int q = t * L + j;  // symbol index
          s[j].re = 2 * q < dim ? parts[d][2 * q] * inv : 0.f;
          s[j].im = 2 * q + 1 < dim ? parts[d][2 * q + 1] * inv : 0.f;
        }
        for (int i = 0; i < L; ++i)
          for (int j = 0; j < L; ++j) {
            const cfloat x = cf_mul(Ed[i * L + j], s[j]);
            shat[i].re += x.re, shat[i].im += x.im;
          }
      }
      for (int q = 0; q < nd; ++q) {
        const cplx z = cnormal(p.noise_key, p.sequence, (base + t) * nd + q);
        const cfloat w{(float)z.re * p.noise_sd, (float)z.im * p.noise_sd};
        for (int i = 0; i < L; ++i) {
          const cfloat x = cf_mul(M[(long)i * nd + q], w);
          shat[i].re += x.re, shat[i].im += x.im;
        }
      }
      for (int i = 0; i < L; ++i) {
        const int q = t * L + i;
        if (2 * q < dim) out[2 * q] += v * shat[i].re;
        if (2 * q + 1 < dim) out[2 * q + 1] += v * shat[i].im;
      }
    }
  }
}

// Digital all-reduce of one row: each device's row quantized with `bits` over its own range,
// the dequantized rows added. `tmp` holds dim floats.
AIRTP_INLINE void digital_reduce_row(int n_dev, int dim, int bits, const float* const* parts, float* tmp, float* out) {
  for (int i = 0; i < dim; ++i) out[i] = 0.f;
  for (int d = 0; d < n_dev; ++d) {
    for (int i = 0; i < dim; ++i) tmp[i] = parts[d][i];
    quantize_uniform(tmp, dim, bits);
    for (int i = 0; i < dim; ++i) out[i] += tmp[i];
  }
}

}  // namespace airtp
