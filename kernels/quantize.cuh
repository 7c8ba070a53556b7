// Q-bit uniform quantization (the digital all-reduce, SPEC §6-7): one routine shared by the
// accuracy simulation (DigitalAllReduce, float activations) and the transmission-MSE sweep
// (`airtp mse` scheme "digital", double symbols), so both quantize exactly alike.
#pragma once
#include "kernels/common.cuh"
#include "kernels/rng.cuh"

namespace airtp {

// Largest magnitude of n values (NaN entries are skipped, as std::max skips them).
template <class T>
AIRTP_INLINE T max_magnitude(const T* x, int n) {
  T a = 0;
  for (int i = 0; i < n; ++i) {
    const T m = x[i] < 0 ? -x[i] : x[i];
    if (a < m) a = m;
  }
  return a;
}

// 2^Q reconstruction levels spread evenly over [-a, a], both ends included: step
// Delta = 2a / (2^Q - 1), and x maps to the nearest level (ties to even index).
AIRTP_INLINE double quantizer_step(double a, int bits) { return 2.0 * a / (ldexp(1.0, bits) - 1.0); }

AIRTP_INLINE double quantize_value(double x, double a, double step, double levels) {
  double q = nearbyint((x + a) / step);
  q = q < 0.0 ? 0.0 : (levels < q ? levels : q);  // clamp; a NaN input stays NaN
  return q * step - a;
}

// Quantizes n values in place over [-a, a] with a = max |x_i| (a = 0: left unchanged).
template <class T>
AIRTP_INLINE void quantize_uniform(T* x, int n, int bits) {
  const T a = max_magnitude(x, n);
  if (!(a > 0)) return;
  const double levels = ldexp(1.0, bits) - 1.0, step = quantizer_step((double)a, bits);
  for (int i = 0; i < n; ++i) x[i] = (T)quantize_value((double)x[i], (double)a, step, levels);
}

// Quantization MSE of the sum for one realization of the digital all-reduce: each of n_dev
// devices holds `block` i.i.d. CN(0, 1) symbols, device n's symbol k being draw n*block + k of
// realization `real` under `key` (so device n sends the same symbols whatever N, Q or the
// SNR), and quantizes their 2*block real and imaginary parts with one Q-bit quantizer over
// [-a_n, a_n], a_n its largest part. The server adds the dequantized blocks; transmission is
// error-free (Shannon rate), so the only error is e_k = sum_n (q(s_nk) - s_nk) and
//   out[b] = per_symbols * (1/block) sum_k |e_k|^2        for Q = bits[b],
// i.e. the mean error per symbol scaled to `per_symbols` symbols (L: per slot of L streams,
// the unit of the AirComp MSE). For Delta_n small against the spread of the symbols the
// errors are uniform on [-Delta_n/2, Delta_n/2] and independent, so the expectation is
// about per_symbols * sum_n 2 Delta_n^2 / 12. Scratch: sym holds 2*block, err 2*block*n_bits.
AIRTP_INLINE void digital_mse_realization(const RngKey& key, uint64_t real, int n_dev, int block, const int* bits,
                                          int n_bits, double per_symbols, double* sym, double* err, double* out) {
  const int m = 2 * block;
  for (int i = 0; i < m * n_bits; ++i) err[i] = 0.0;
  for (int n = 0; n < n_dev; ++n) {
    for (int k = 0; k < block; ++k) {
      const cplx s = cnormal(key, real, (uint64_t)n * (uint64_t)block + (uint64_t)k);
      sym[2 * k] = s.re;
      sym[2 * k + 1] = s.im;
    }
    const double a = max_magnitude(sym, m);
    if (!(a > 0)) continue;
    for (int b = 0; b < n_bits; ++b) {
      const double levels = ldexp(1.0, bits[b]) - 1.0, step = quantizer_step(a, bits[b]);
      double* e = err + (size_t)b * m;
      for (int i = 0; i < m; ++i) e[i] += quantize_value(sym[i], a, step, levels) - sym[i];
    }
  }
  for (int b = 0; b < n_bits; ++b) {
    const double* e = err + (size_t)b * m;
    double s = 0;
    for (int i = 0; i < m; ++i) s += e[i] * e[i];
    out[b] = per_symbols * s / block;
  }
}

}  // namespace airtp
