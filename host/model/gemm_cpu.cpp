#include "host/model/gemm_cpu.hpp"

#include "kernels/cpu_features.hpp"

#include <Eigen/Dense>
#include <algorithm>

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define AIRTP_GEMM_AVX2 1
#endif

namespace airtp {

namespace {
using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Strided = Eigen::Map<const Mat, 0, Eigen::OuterStride<>>;
using StridedOut = Eigen::Map<Mat, 0, Eigen::OuterStride<>>;
}  // namespace

void gemm_xwt_portable(int m, int n, int k, const float* X, long ldx, const float* W, long ldw, float* Y, long ldy,
                       bool accumulate) {
  if (m <= 0 || n <= 0) return;
  StridedOut y(Y, m, n, Eigen::OuterStride<>(ldy));
  if (k <= 0) {
    if (!accumulate) y.setZero();
    return;
  }
  const Strided x(X, m, k, Eigen::OuterStride<>(ldx)), w(W, n, k, Eigen::OuterStride<>(ldw));
  if (accumulate) {
    y.noalias() += x * w.transpose();
  } else {
    y.noalias() = x * w.transpose();
  }
}

#if defined(AIRTP_GEMM_AVX2)

namespace {

#define AIRTP_AVX2 __attribute__((target("avx2,fma")))

// Lanes 0..r-1 of a load (r in 1..7); the rest read as zero and touch no memory.
AIRTP_AVX2 inline __m256i tail_mask(int r) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(r), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

AIRTP_AVX2 inline float hsum(__m256 a) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

// [sum a, sum b, sum c, sum d].
AIRTP_AVX2 inline __m128 hsum4(__m256 a, __m256 b, __m256 c, __m256 d) {
  const __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
  return _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
}

// One MR x NR block of Y over k: 12 accumulators at most (3 x 4), the MR rows of X in
// registers, each row of W loaded once per 8 inputs and used MR times.
template <int MR, int NR>
AIRTP_AVX2 void tile(int k, const float* X, long ldx, const float* W, long ldw, float* Y, long ldy, bool acc) {
  __m256 c[MR][NR];
#pragma GCC unroll 4
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < NR; ++j) c[i][j] = _mm256_setzero_ps();
  int p = 0;
  for (; p + 8 <= k; p += 8) {
    __m256 x[MR];
#pragma GCC unroll 4
    for (int i = 0; i < MR; ++i) x[i] = _mm256_loadu_ps(X + i * ldx + p);
#pragma GCC unroll 4
    for (int j = 0; j < NR; ++j) {
      const __m256 w = _mm256_loadu_ps(W + j * ldw + p);
#pragma GCC unroll 4
      for (int i = 0; i < MR; ++i) c[i][j] = _mm256_fmadd_ps(x[i], w, c[i][j]);
    }
  }
  if (p < k) {
    const __m256i mask = tail_mask(k - p);
    __m256 x[MR];
#pragma GCC unroll 4
    for (int i = 0; i < MR; ++i) x[i] = _mm256_maskload_ps(X + i * ldx + p, mask);
#pragma GCC unroll 4
    for (int j = 0; j < NR; ++j) {
      const __m256 w = _mm256_maskload_ps(W + j * ldw + p, mask);
#pragma GCC unroll 4
      for (int i = 0; i < MR; ++i) c[i][j] = _mm256_fmadd_ps(x[i], w, c[i][j]);
    }
  }
#pragma GCC unroll 4
  for (int i = 0; i < MR; ++i) {
    float* y = Y + i * ldy;
    if constexpr (NR == 4) {
      __m128 s = hsum4(c[i][0], c[i][1], c[i][2], c[i][3]);
      if (acc) s = _mm_add_ps(s, _mm_loadu_ps(y));
      _mm_storeu_ps(y, s);
    } else {
#pragma GCC unroll 4
      for (int j = 0; j < NR; ++j) y[j] = (acc ? y[j] : 0.f) + hsum(c[i][j]);
    }
  }
}

using TileFn = void (*)(int, const float*, long, const float*, long, float*, long, bool);
constexpr TileFn kTiles[3][4] = {
    {tile<1, 1>, tile<1, 2>, tile<1, 3>, tile<1, 4>},
    {tile<2, 1>, tile<2, 2>, tile<2, 3>, tile<2, 4>},
    {tile<3, 1>, tile<3, 2>, tile<3, 3>, tile<3, 4>},
};

// Blocking for the caches: inputs in chunks of at most kKc (the three X rows and four W rows
// of a tile, 14 KiB, stay in L1), outputs in blocks of kNb rows of W (256 KiB, in L2) that
// every group of three X rows sweeps. On the 2-core Zen 3 VM this runs at 60-78 GFLOPS per
// core for the shapes of SmolLM2-135M (Eigen's SSE2 GEMM: 10-25), best of repeated runs.
constexpr int kKc = 512, kNb = 128;

AIRTP_AVX2 void gemm_avx2(int m, int n, int k, const float* X, long ldx, const float* W, long ldw, float* Y, long ldy,
                          bool accumulate) {
  const int kc_max = k <= kKc + kKc / 2 ? k : kKc;
  for (int p0 = 0; p0 < k; p0 += kc_max) {
    const int kc = std::min(kc_max, k - p0);
    const bool acc = accumulate || p0 > 0;
    for (int j0 = 0; j0 < n; j0 += kNb) {
      const int j1 = std::min(n, j0 + kNb);
      for (int i = 0; i < m; i += 3) {
        const int mr = std::min(3, m - i);
        const float* x = X + i * ldx + p0;
        float* y = Y + i * ldy;
        int j = j0;
        for (; j + 4 <= j1; j += 4) kTiles[mr - 1][3](kc, x, ldx, W + j * ldw + p0, ldw, y + j, ldy, acc);
        if (j < j1) kTiles[mr - 1][j1 - j - 1](kc, x, ldx, W + j * ldw + p0, ldw, y + j, ldy, acc);
      }
    }
  }
}

}  // namespace

bool gemm_uses_avx2() { return cpu_avx2_fma(); }

void gemm_xwt(int m, int n, int k, const float* X, long ldx, const float* W, long ldw, float* Y, long ldy,
              bool accumulate) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || !cpu_avx2_fma()) return gemm_xwt_portable(m, n, k, X, ldx, W, ldw, Y, ldy, accumulate);
  gemm_avx2(m, n, k, X, ldx, W, ldw, Y, ldy, accumulate);
}

#else

bool gemm_uses_avx2() { return false; }

void gemm_xwt(int m, int n, int k, const float* X, long ldx, const float* W, long ldw, float* Y, long ldy,
              bool accumulate) {
  gemm_xwt_portable(m, n, k, X, ldx, W, ldw, Y, ldy, accumulate);
}

#endif

}  // namespace airtp
