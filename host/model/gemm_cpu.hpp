// The matrix product of the CPU transformer: Y = X W^T with X [m][k] (tokens by inputs) and
// W [n][k] (outputs by inputs), both row-major as ModelWeights stores its matrices, so no
// weight is ever copied or repacked. On a CPU with AVX2 and FMA (chosen at run time; set
// AIRTP_NO_AVX2=1 to force the portable path) a register-tiled kernel computes 3 x 4 blocks
// of Y as dot products along k, 8 lanes at a time; elsewhere Eigen's GEMM does it.
// Single-threaded: the forward pass is parallel over sequences.
#pragma once

namespace airtp {

// Y[i][j] (+)= sum_p X[i][p] W[j][p] for i < m, j < n; leading dimensions (row strides) ldx,
// ldw, ldy in floats. accumulate = false overwrites Y.
void gemm_xwt(int m, int n, int k, const float* X, long ldx, const float* W, long ldw, float* Y, long ldy,
              bool accumulate = false);

// The same with Eigen only (the portable path; also the reference in tests).
void gemm_xwt_portable(int m, int n, int k, const float* X, long ldx, const float* W, long ldw, float* Y, long ldy,
                       bool accumulate = false);

// True when gemm_xwt uses the AVX2 kernel on this machine.
bool gemm_uses_avx2();

}  // namespace airtp
