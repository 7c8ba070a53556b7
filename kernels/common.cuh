// Shared definitions for code compiled by both g++ (CPU backend) and nvcc (CUDA backend).
#pragma once
#include <cmath>
#include <cstdint>

#include "kernels/params.hpp"

// Loop vectorization hints for the CPU backend's contiguous fast paths. CMake compiles every
// C++ file with -fopenmp-simd and AIRTP_OMP_SIMD, so all g++ code that runs a kernel (the
// backend and the host model alike) reduces in the same order; device code ignores them.
#define AIRTP_PRAGMA(x) _Pragma(#x)
#if defined(AIRTP_OMP_SIMD) && !defined(__CUDA_ARCH__)
#define AIRTP_SIMD AIRTP_PRAGMA(omp simd)
#define AIRTP_SIMD_REDUCE(...) AIRTP_PRAGMA(omp simd reduction(+ : __VA_ARGS__))
#else
#define AIRTP_SIMD
#define AIRTP_SIMD_REDUCE(...)
#endif

namespace airtp {

// Arithmetic on cplx (kernels/params.hpp), the same on both backends.
AIRTP_INLINE cplx operator+(cplx a, cplx b) { return {a.re + b.re, a.im + b.im}; }
AIRTP_INLINE cplx operator-(cplx a, cplx b) { return {a.re - b.re, a.im - b.im}; }
AIRTP_INLINE cplx operator-(cplx a) { return {-a.re, -a.im}; }
AIRTP_INLINE cplx operator*(cplx a, cplx b) { return {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re}; }
AIRTP_INLINE cplx operator*(double s, cplx a) { return {s * a.re, s * a.im}; }
AIRTP_INLINE cplx operator*(cplx a, double s) { return {s * a.re, s * a.im}; }
AIRTP_INLINE cplx& operator+=(cplx& a, cplx b) { a.re += b.re; a.im += b.im; return a; }
AIRTP_INLINE cplx& operator-=(cplx& a, cplx b) { a.re -= b.re; a.im -= b.im; return a; }
AIRTP_INLINE cplx conj(cplx a) { return {a.re, -a.im}; }
AIRTP_INLINE double norm2(cplx a) { return a.re * a.re + a.im * a.im; }
// conj(a) * b, the inner-product building block.
AIRTP_INLINE cplx cmulc(cplx a, cplx b) { return {a.re * b.re + a.im * b.im, a.re * b.im - a.im * b.re}; }
AIRTP_INLINE cplx expj(double phase) { return {cos(phase), sin(phase)}; }

// A column-major complex matrix living in scratch memory. Element (r, c) sits at
// p[(r + c * rows) * es]. On the CPU each realization owns a contiguous block (es = 1); on
// the GPU the 32 realizations of a warp are interleaved (es = 32) inside one contiguous
// block per warp, so that a warp's loads coalesce and each warp touches one small region
// (interleaving the whole batch instead spreads every thread over gigabytes of scratch and
// thrashes the GPU's address translation).
struct CMat {
  cplx* p;
  int rows, cols;
  long es;
  AIRTP_INLINE cplx& operator()(int r, int c) const { return p[(long)(r + c * rows) * es]; }
  AIRTP_INLINE long size() const { return (long)rows * cols; }
};

// Scratch allocator for one realization: hands out consecutive matrices.
struct Scratch {
  cplx* base;
  long es;
  long used = 0;
  AIRTP_INLINE CMat take(int rows, int cols) {
    CMat m{base + used * es, rows, cols, es};
    used += (long)rows * cols;
    return m;
  }
};

constexpr int kWarpInterleave = 32;

// Scratch layouts: contiguous per realization (CPU), interleaved within each warp (GPU
// default), or interleaved across the whole chunk (kept for comparison on the GPU).
enum ScratchLayout : int { kLayoutContiguous = 0, kLayoutWarp = 1, kLayoutBatch = 2 };

// Scratch of realization i of a chunk of `chunk` realizations, `per` elements each.
AIRTP_INLINE Scratch scratch_for(cplx* ws, long i, long per, long chunk, int layout) {
  if (layout == kLayoutWarp)
    return Scratch{ws + (i / kWarpInterleave) * per * kWarpInterleave + (i % kWarpInterleave), kWarpInterleave};
  if (layout == kLayoutBatch) return Scratch{ws + i, chunk};
  return Scratch{ws + i * per, 1};
}

}  // namespace airtp
