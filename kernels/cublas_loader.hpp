// cuBLAS loaded on first use instead of linked: libcublas.so pulls in libcublasLt (about
// 540 MB), whose loading and static initialisers cost every airtp process 0.1-0.3 s and
// 200 MB of memory, GPU or not. Only the GPU transformer multiplies matrices with cuBLAS, so
// the library is opened (dlopen) when the first GPU model is built; its functions are then
// called through this table. The types and constants still come from cublas_v2.h.
#pragma once
#include <cublas_v2.h>

namespace airtp::gpu {

struct CublasApi {
  decltype(&cublasCreate) create;
  decltype(&cublasDestroy) destroy;
  decltype(&cublasSetStream) set_stream;
  decltype(&cublasSetMathMode) set_math_mode;
  decltype(&cublasSgemm) sgemm;
  decltype(&cublasSgemmStridedBatched) sgemm_strided_batched;
};

// Opens libcublas.so.<major of the headers> (the loader's search path, then the CUDA toolkit's
// library folder found at build time) on the first call; std::runtime_error naming the library
// and what is missing when it cannot.
const CublasApi& cublas();

}  // namespace airtp::gpu
