// The one macro set for code compiled by both g++ (CPU backend) and nvcc (CUDA backend):
// g++ does not know __host__ / __device__.
#pragma once

#if defined(__CUDACC__)
#define AIRTP_HD __host__ __device__
#define AIRTP_INLINE __host__ __device__ __forceinline__
#define AIRTP_ALWAYS_INLINE __host__ __device__ __forceinline__
#else
#define AIRTP_HD
#define AIRTP_INLINE inline
// For bodies that must be compiled into their caller, e.g. into a function built for a
// wider instruction set (kernels/fast_objective.cuh).
#define AIRTP_ALWAYS_INLINE inline __attribute__((always_inline))
#endif
