// The objective of the fast solver (kernels/solver_fast.cuh) and its gradient:
//   phi_p(G) = log tr(G^H G) + (1/p) log sum_n f_n^p,  f_n = tr(M_n^{-1}) / E_n,  M_n = G^H H_n H_n^H G.
// Gradient (real gradient, 2 x the Wirtinger derivative d/dG*):
//   d log tr(G^H G)       -> 2 G / tr(G^H G)
//   d log tr(M_n^{-1})    -> -2 H_n F_n M_n^{-2} / tr(M_n^{-1}),  F_n = H_n^H G
// and the smooth max weights the per-device terms by w_n = f_n^p / sum_m f_m^p.
//
// Two implementations of the same arithmetic:
//  - fast_objective_any: any sizes and layouts (the GPU's interleaved scratch); one pass
//    over the devices with a running log-sum-exp.
//  - fast_objective_fixed: the CPU's contiguous layout at the common sizes (N_t = L in
//    {1, 2, 4, 8}), sizes known at compile time. The solver spends most of its time here, on
//    4 x 4 complex blocks where loop overhead, strided accessors and the latency of each
//    device's small Cholesky factorisation dominate. Rows of G are held as vectors of L
//    streams (the two big products become multiply-adds on whole rows), and the L x L
//    factorisations of several devices run side by side in the lanes of one vector. Built
//    twice, for SSE2 and for AVX2 + FMA, the latter picked at run time when the CPU has it.
// Measured at N = 8, N_r = 20, N_t = L = 4 (one core, whole fast design per realization):
// 520 us with fast_objective_any, 320 us with the SSE2 variant, 190 us with AVX2.
#pragma once
#include "kernels/cpu_features.hpp"
#include "kernels/linalg.cuh"

namespace airtp {

// C = A^H B for contiguous (es = 1) matrices. Each entry is two real dot products over the
// interleaved (re, im) storage: Re = sum x_re y_re + x_im y_im, Im = sum x_re y_im - x_im y_re,
// which the compiler vectorizes (the GPU's interleaved layout takes matmul_ah instead).
AIRTP_INLINE void matmul_ah_flat(const CMat& C, const CMat& A, const CMat& B) {
  const int n = A.rows;
  for (int c = 0; c < B.cols; ++c)
    for (int r = 0; r < A.cols; ++r) {
      const double* x = &A(0, r).re;
      const double* y = &B(0, c).re;
      double re = 0, im = 0;
      AIRTP_SIMD_REDUCE(re, im)
      for (int k = 0; k < n; ++k) {
        re += x[2 * k] * y[2 * k] + x[2 * k + 1] * y[2 * k + 1];
        im += x[2 * k] * y[2 * k + 1] - x[2 * k + 1] * y[2 * k];
      }
      C(r, c) = cplx(re, im);
    }
}

// Per-device work matrices of the objective.
struct FastWork {
  CMat F, FM;        // n_tx x L
  CMat M, Minv, M2;  // L x L
};

// p = kExactAlpha asks for max_n f_n instead of phi_p (no gradient): alpha of G when
// ||G||_F = 1, the exact trace form that the solver keeps its best design by.
constexpr double kExactAlpha = INFINITY;

// phi_p(G) and, when grad is non-null, its real gradient, for any sizes and layouts. Returns
// +inf when some M_n is singular (the line search then backtracks).
AIRTP_INLINE double fast_objective_any(const CMat* H, int n_dev, const double* E, double p, const CMat& G,
                                   const CMat* grad, const FastWork& w) {
  const int L = G.cols, nr = G.rows, nt = w.F.rows;
  const double g2 = frob2(G);
  if (!(g2 > 0)) return INFINITY;
  double gref = -INFINITY, wsum = 0;  // sum_n exp(p (g_n - gref)), g_n = log f_n
  double fmax_n = 0;                  // max_n f_n (p = kExactAlpha)
  if (grad) set_zero(*grad);
  // Contiguous storage (the CPU layout): the two big products run as vectorized loops.
  const bool flat = G.es == 1 && H[0].es == 1 && w.F.es == 1 && (!grad || grad->es == 1);
  for (int n = 0; n < n_dev; ++n) {
    if (flat)
      matmul_ah_flat(w.F, H[n], G);
    else
      matmul_ah(w.F, H[n], G);
    matmul_ah(w.M, w.F, w.F);
    if (!hpd_inverse(w.M, w.Minv)) return INFINITY;
    double tr = 0;
    for (int i = 0; i < L; ++i) tr += w.Minv(i, i).re;
    if (!(tr > 0) || !(tr < 1e300)) return INFINITY;
    if (p == kExactAlpha) {
      fmax_n = fmax(fmax_n, tr / E[n]);
      continue;
    }
    const double g = log(tr / E[n]);
    double wn;
    if (g > gref) {  // new reference: rescale what was accumulated
      const double r = gref == -INFINITY ? 0.0 : exp(p * (gref - g));
      wsum *= r;
      if (grad) scale(*grad, r);
      gref = g;
      wn = 1.0;
    } else {
      wn = exp(p * (g - gref));
    }
    wsum += wn;
    // A device whose weight is below 1e-16 of the largest cannot move the gradient.
    if (grad && wn > 1e-16) {
      matmul(w.M2, w.Minv, w.Minv);  // M^{-2}
      matmul(w.FM, w.F, w.M2);       // F M^{-2}
      const double c = wn / tr;
      if (flat) {  // grad(:, l) += (c FM(a, l)) H_n(:, a), an axpy down each contiguous column
        for (int l = 0; l < L; ++l)
          for (int a = 0; a < nt; ++a) {
            const cplx f = c * w.FM(a, l);
            double* g = &(*grad)(0, l).re;
            const double* h = &H[n](0, a).re;
            AIRTP_SIMD
            for (int r = 0; r < nr; ++r) {
              g[2 * r] += f.re * h[2 * r] - f.im * h[2 * r + 1];
              g[2 * r + 1] += f.re * h[2 * r + 1] + f.im * h[2 * r];
            }
          }
      } else {
        for (int l = 0; l < L; ++l)
          for (int r = 0; r < nr; ++r) {
            cplx s(0, 0);
            for (int a = 0; a < nt; ++a) s += H[n](r, a) * w.FM(a, l);
            (*grad)(r, l) += c * s;
          }
      }
    }
  }
  if (p == kExactAlpha) return fmax_n;
  if (grad) {
    // grad = 2 G / ||G||^2 - 2 (sum_n w_n H_n F_n M_n^{-2} / tr_n) / sum_n w_n
    const double a = -2.0 / wsum, b = 2.0 / g2;
    for (int l = 0; l < L; ++l)
      for (int r = 0; r < nr; ++r) (*grad)(r, l) = a * (*grad)(r, l) + b * G(r, l);
  }
  return log(g2) + gref + log(wsum) / p;
}


#if !defined(__CUDACC__)
// ---- CPU: fixed sizes and g++ vector types -------------------------------------------
// A vector of N doubles that g++ maps onto SSE2/NEON (N = 2) or AVX (N = 4) registers;
// arithmetic is element-wise and a scalar operand is broadcast.
template <int N>
struct DoubleVec {
  typedef double type __attribute__((vector_size(8 * N)));
};

// N doubles held as N / V native vectors of V doubles, for rows longer than a register.
template <int N, int V>
struct Pack {
  typename DoubleVec<V>::type v[N / V];
  AIRTP_ALWAYS_INLINE double operator[](int i) const { return v[i / V][i % V]; }
  // Writing one lane reads the whole vector first; g++ then reports the other lanes of a
  // row being filled lane by lane as "maybe uninitialized" (they are written before use).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
  AIRTP_ALWAYS_INLINE void set(int i, double x) { v[i / V][i % V] = x; }
#pragma GCC diagnostic pop
  AIRTP_ALWAYS_INLINE static Pack zero() { return Pack{}; }
  AIRTP_ALWAYS_INLINE Pack& operator+=(const Pack& o) {
    for (int k = 0; k < N / V; ++k) v[k] += o.v[k];
    return *this;
  }
};
template <int N, int V>
AIRTP_ALWAYS_INLINE Pack<N, V> operator+(const Pack<N, V>& a, const Pack<N, V>& b) {
  Pack<N, V> r;
  for (int k = 0; k < N / V; ++k) r.v[k] = a.v[k] + b.v[k];
  return r;
}
template <int N, int V>
AIRTP_ALWAYS_INLINE Pack<N, V> operator-(const Pack<N, V>& a, const Pack<N, V>& b) {
  Pack<N, V> r;
  for (int k = 0; k < N / V; ++k) r.v[k] = a.v[k] - b.v[k];
  return r;
}
template <int N, int V>
AIRTP_ALWAYS_INLINE Pack<N, V> operator*(double s, const Pack<N, V>& a) {
  Pack<N, V> r;
  for (int k = 0; k < N / V; ++k) r.v[k] = s * a.v[k];
  return r;
}

// M^{-1} of W L x L Hermitian matrices at once (W = lanes of LaneVec), one per lane, so that
// the Cholesky factorisation's chain of square roots and divisions runs for W devices in the same
// instructions instead of one after another. (mr, mi) is destroyed; M^{-1} goes to (vr, vi).
// The singularity rule is cholesky()'s (kernels/linalg.cuh). Returns false when some lane's
// matrix is (numerically) singular.
template <int L, typename LaneVec>
AIRTP_ALWAYS_INLINE bool hpd_inverse_lanes(LaneVec (&mr)[L][L], LaneVec (&mi)[L][L], LaneVec (&vr)[L][L],
                                           LaneVec (&vi)[L][L]) {
  constexpr int kLanes = sizeof(LaneVec) / sizeof(double);
  const LaneVec zero = {}, one = zero + 1.0;
  LaneVec dmax = mr[0][0];
  for (int i = 1; i < L; ++i) dmax = dmax > mr[i][i] ? dmax : mr[i][i];
  LaneVec bad = (dmax > 0.0 && dmax < INFINITY) ? zero : one;
  // In place: the lower triangle becomes the Cholesky factor C (real diagonal).
  LaneVec id[L];  // 1 / C(i, i)
  for (int j = 0; j < L; ++j) {
    LaneVec d = mr[j][j];
    for (int k = 0; k < j; ++k) d -= mr[j][k] * mr[j][k] + mi[j][k] * mi[j][k];
    bad = d > kSingularPivot * dmax ? bad : one;
    d = d > 1e-300 ? d : zero + 1e-300;
    LaneVec l;
    for (int w = 0; w < kLanes; ++w) l[w] = sqrt(d[w]);
    mr[j][j] = l;
    mi[j][j] = zero;
    id[j] = 1.0 / l;
    for (int i = j + 1; i < L; ++i) {
      LaneVec sr = mr[i][j], si = mi[i][j];
      for (int k = 0; k < j; ++k) {  // s -= C(i,k) conj(C(j,k))
        sr -= mr[i][k] * mr[j][k] + mi[i][k] * mi[j][k];
        si -= mi[i][k] * mr[j][k] - mr[i][k] * mi[j][k];
      }
      mr[i][j] = id[j] * sr;
      mi[i][j] = id[j] * si;
    }
  }
  double any_bad = 0;
  for (int w = 0; w < kLanes; ++w) any_bad += bad[w];
  if (any_bad > 0) return false;
  // W = C^{-1} (lower triangular) by forward substitution on each unit vector.
  LaneVec wr[L][L], wi[L][L];
  for (int j = 0; j < L; ++j)
    for (int i = 0; i < L; ++i) {
      if (i < j) {
        wr[i][j] = wi[i][j] = zero;
        continue;
      }
      LaneVec sr = i == j ? one : zero, si = zero;
      for (int k = j; k < i; ++k) {  // s -= C(i,k) W(k,j)
        sr -= mr[i][k] * wr[k][j] - mi[i][k] * wi[k][j];
        si -= mr[i][k] * wi[k][j] + mi[i][k] * wr[k][j];
      }
      wr[i][j] = id[i] * sr;
      wi[i][j] = id[i] * si;
    }
  // M^{-1}(r, c) = sum_k conj(W(k, r)) W(k, c), k >= max(r, c).
  for (int r = 0; r < L; ++r)
    for (int c = 0; c < L; ++c) {
      LaneVec sr = zero, si = zero;
      for (int k = (r > c ? r : c); k < L; ++k) {
        sr += wr[k][r] * wr[k][c] + wi[k][r] * wi[k][c];
        si += wr[k][r] * wi[k][c] - wi[k][r] * wr[k][c];
      }
      vr[r][c] = sr;
      vi[r][c] = si;
    }
  return true;
}

// fast_objective_any for contiguous storage (es = 1) with N_t = NT antennas and L streams.
// Same formula, computed in three passes instead of one: every device's F_n, M_n^{-1} and
// f_n (kLanes devices at a time); then the smooth-max weights from the largest f_n; then
// the gradient terms of the devices whose weight matters. G and the gradient are held as
// rows of L streams, so the two big products (F_n = H_n^H G and D += H_n P_n) are runs of
// multiply-adds on whole rows. Sums run in a different order from fast_objective_any, so
// the two agree to rounding.
// VB: vector register bytes (16 for SSE2/NEON, 32 for AVX2); kLanes = VB / 8 devices per block.
template <int NT, int L, int VB>
AIRTP_ALWAYS_INLINE double fast_objective_fixed(const CMat* H, int n_dev, const double* E, double p, const CMat& G,
                                                const CMat* grad) {
  constexpr int W = VB / 8, kBlocks = (kMaxDevices + W - 1) / W;
  using LaneVec = typename DoubleVec<W>::type;
  using Row = Pack<L, (L < W ? L : W)>;
  const int nr = G.rows, nb = (n_dev + W - 1) / W;
  if (n_dev < 1) return INFINITY;
  Row gr[kMaxRx], gi[kMaxRx];  // row r of G: G(r, 0..L-1)
  double g2 = 0;
  for (int l = 0; l < L; ++l)
    for (int r = 0; r < nr; ++r) {
      const cplx g = G(r, l);
      gr[r].set(l, g.re);
      gi[r].set(l, g.im);
      g2 += g.re * g.re + g.im * g.im;
    }
  if (!(g2 > 0)) return INFINITY;
  // Pass 1: F_n, M_n^{-1} and log f_n. Lanes past the last device repeat it.
  LaneVec fr[kBlocks][NT][L], fi[kBlocks][NT][L];  // F_n(a, l) in lane n % W of block n / W
  LaneVec vr[kBlocks][L][L], vi[kBlocks][L][L];    // M_n^{-1}, same lanes
  double fv[kBlocks * W] = {}, lg[kBlocks * W] = {};  // f_n and log f_n
  for (int b = 0; b < nb; ++b) {
    for (int w = 0; w < W; ++w) {
      const int n = b * W + w < n_dev ? b * W + w : n_dev - 1;
      const double* h = &H[n](0, 0).re;  // H_n(r, a) at h[2 (r + a nr)]
      Row ar[NT], ai[NT];
      for (int a = 0; a < NT; ++a) ar[a] = ai[a] = Row::zero();
      for (int r = 0; r < nr; ++r) {  // F(a, :) += conj(H_n(r, a)) G(r, :)
        const Row x = gr[r], y = gi[r];
        for (int a = 0; a < NT; ++a) {
          const double hr = h[2 * (r + a * nr)], hi = h[2 * (r + a * nr) + 1];
          ar[a] += hr * x + hi * y;
          ai[a] += hr * y - hi * x;
        }
      }
      for (int a = 0; a < NT; ++a)
        for (int l = 0; l < L; ++l) {
          fr[b][a][l][w] = ar[a][l];
          fi[b][a][l][w] = ai[a][l];
        }
    }
    LaneVec mr[L][L], mi[L][L];  // M = F^H F
    for (int i = 0; i < L; ++i)
      for (int j = 0; j < L; ++j) {
        LaneVec sr = fr[b][0][i] * fr[b][0][j] + fi[b][0][i] * fi[b][0][j];
        LaneVec si = fr[b][0][i] * fi[b][0][j] - fi[b][0][i] * fr[b][0][j];
        for (int a = 1; a < NT; ++a) {
          sr += fr[b][a][i] * fr[b][a][j] + fi[b][a][i] * fi[b][a][j];
          si += fr[b][a][i] * fi[b][a][j] - fi[b][a][i] * fr[b][a][j];
        }
        mr[i][j] = sr;
        mi[i][j] = si;
      }
    if (!hpd_inverse_lanes<L, LaneVec>(mr, mi, vr[b], vi[b])) return INFINITY;
    for (int w = 0; w < W && b * W + w < n_dev; ++w) {
      double tr = 0;
      for (int i = 0; i < L; ++i) tr += vr[b][i][i][w];
      if (!(tr > 0) || !(tr < 1e300)) return INFINITY;
      fv[b * W + w] = tr / E[b * W + w];
    }
  }
  if (p == kExactAlpha) {
    double a = 0;
    for (int n = 0; n < n_dev; ++n) a = fmax(a, fv[n]);
    return a;
  }
  for (int n = 0; n < n_dev; ++n) lg[n] = log(fv[n]);
  // Pass 2: smooth max sum_n exp(p (g_n - gref)) around the largest g_n = log f_n.
  double gref = lg[0], wsum = 0;
  for (int n = 1; n < n_dev; ++n) gref = fmax(gref, lg[n]);
  double wt[kBlocks * W];
  for (int n = 0; n < n_dev; ++n) {
    wt[n] = exp(p * (lg[n] - gref));
    wsum += wt[n];
  }
  const double phi = log(g2) + gref + log(wsum) / p;
  if (!grad) return phi;
  // Pass 3: D = sum_n (w_n / tr_n) H_n F_n M_n^{-2}; a device whose weight is below 1e-16 of
  // the largest cannot move the gradient.
  Row dr[kMaxRx], di[kMaxRx];
  for (int r = 0; r < nr; ++r) dr[r] = di[r] = Row::zero();
  for (int n = 0; n < n_dev; ++n) {
    if (!(wt[n] > 1e-16)) continue;
    const int b = n / W, w = n % W;
    Row qr[L] = {}, qi[L] = {};  // rows of Q = M^{-2} = M^{-1} M^{-1}
    double tr = 0;
    for (int i = 0; i < L; ++i) {
      tr += vr[b][i][i][w];
      for (int j = 0; j < L; ++j) {
        double sr = 0, si = 0;
        for (int k = 0; k < L; ++k) {
          sr += vr[b][i][k][w] * vr[b][k][j][w] - vi[b][i][k][w] * vi[b][k][j][w];
          si += vr[b][i][k][w] * vi[b][k][j][w] + vi[b][i][k][w] * vr[b][k][j][w];
        }
        qr[i].set(j, sr);
        qi[i].set(j, si);
      }
    }
    const double c = wt[n] / tr;
    Row pr[NT], pi[NT];  // rows of P = (w_n / tr_n) F_n Q
    for (int a = 0; a < NT; ++a) {
      Row sr = Row::zero(), si = Row::zero();
      for (int k = 0; k < L; ++k) {
        const double xr = fr[b][a][k][w], xi = fi[b][a][k][w];
        sr += xr * qr[k] - xi * qi[k];
        si += xr * qi[k] + xi * qr[k];
      }
      pr[a] = c * sr;
      pi[a] = c * si;
    }
    const double* h = &H[n](0, 0).re;
    for (int r = 0; r < nr; ++r) {  // D(r, :) += sum_a H_n(r, a) P(a, :)
      Row sr = dr[r], si = di[r];
      for (int a = 0; a < NT; ++a) {
        const double hr = h[2 * (r + a * nr)], hi = h[2 * (r + a * nr) + 1];
        sr += hr * pr[a] - hi * pi[a];
        si += hr * pi[a] + hi * pr[a];
      }
      dr[r] = sr;
      di[r] = si;
    }
  }
  // grad = 2 G / ||G||^2 - 2 D / sum_n w_n
  const double a = -2.0 / wsum, bb = 2.0 / g2;
  for (int l = 0; l < L; ++l)
    for (int r = 0; r < nr; ++r) (*grad)(r, l) = cplx(a * dr[r][l] + bb * gr[r][l], a * di[r][l] + bb * gi[r][l]);
  return phi;
}

#if defined(__GNUC__) && defined(__x86_64__)
// The same body built for AVX2 with fused multiply-adds (x86-64-v3, every x86 CPU since
// ~2015): 4-wide FMAs instead of SSE2's 2-wide multiplies and adds. Chosen at run time
// (fast_objective), so the binary still runs on older CPUs; results differ from the SSE2
// variant by rounding only (FMA contraction, -ffp-contract=fast).
#define AIRTP_FAST_AVX2 1
template <int NT, int L>
__attribute__((target("avx2,fma"))) double fast_objective_avx2(const CMat* H, int n_dev, const double* E, double p,
                                                               const CMat& G, const CMat* grad) {
  return fast_objective_fixed<NT, L, 32>(H, n_dev, E, p, G, grad);
}
#endif

// The fixed-size objective in the widest variant this CPU runs.
template <int NT, int L>
AIRTP_INLINE double fast_objective_cpu(const CMat* H, int n_dev, const double* E, double p, const CMat& G,
                                       const CMat* grad) {
#if defined(AIRTP_FAST_AVX2)
  if (cpu_avx2_fma()) return fast_objective_avx2<NT, L>(H, n_dev, E, p, G, grad);
#endif
  return fast_objective_fixed<NT, L, 16>(H, n_dev, E, p, G, grad);
}
#endif  // !__CUDACC__

// phi_p(G) and, when grad is non-null, its real gradient; +inf when some M_n is singular.
// The CPU's contiguous layout at the common sizes takes the fixed-size path.
AIRTP_INLINE double fast_objective(const CMat* H, int n_dev, const double* E, double p, const CMat& G,
                                   const CMat* grad, const FastWork& w) {
#if !defined(__CUDACC__)
  const int L = G.cols, nt = H[0].cols;
  const bool flat = G.es == 1 && H[0].es == 1 && (!grad || grad->es == 1);
  if (flat && G.rows <= kMaxRx && nt == L) {
    if (L == 4) return fast_objective_cpu<4, 4>(H, n_dev, E, p, G, grad);
    if (L == 2) return fast_objective_cpu<2, 2>(H, n_dev, E, p, G, grad);
    if (L == 1) return fast_objective_cpu<1, 1>(H, n_dev, E, p, G, grad);
    if (L == 8) return fast_objective_cpu<8, 8>(H, n_dev, E, p, G, grad);
  }
#endif
  return fast_objective_any(H, n_dev, E, p, G, grad, w);
}

}  // namespace airtp
