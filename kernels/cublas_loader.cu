#include "kernels/cublas_loader.hpp"

#include <dlfcn.h>

#include <mutex>
#include <stdexcept>
#include <string>

#define AIRTP_STR2(x) #x
#define AIRTP_STR(x) AIRTP_STR2(x)

namespace airtp::gpu {

namespace {

// The exported name behind a cublas_v2.h macro (cublasSgemm is cublasSgemm_v2).
template <class F>
void bind(void* lib, const std::string& file, const char* name, F& f) {
  f = reinterpret_cast<F>(dlsym(lib, name));
  if (!f) throw std::runtime_error("the CUDA backend: " + file + " has no " + name);
}

CublasApi load() {
  const std::string name = "libcublas.so." AIRTP_STR(CUBLAS_VER_MAJOR);
  std::string file = name, why;
  void* lib = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) why = dlerror();
#ifdef AIRTP_CUDA_LIBRARY_DIR
  if (!lib) {
    file = std::string(AIRTP_CUDA_LIBRARY_DIR) + "/" + name;
    lib = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib) why += "; " + std::string(dlerror());
  }
#endif
  if (!lib)
    throw std::runtime_error("the CUDA backend needs cuBLAS (" + name +
                             ", part of the CUDA toolkit) and cannot open it: " + why);
  CublasApi a{};
  bind(lib, file, AIRTP_STR(cublasCreate), a.create);
  bind(lib, file, AIRTP_STR(cublasDestroy), a.destroy);
  bind(lib, file, AIRTP_STR(cublasSetStream), a.set_stream);
  bind(lib, file, AIRTP_STR(cublasSetMathMode), a.set_math_mode);
  bind(lib, file, AIRTP_STR(cublasSgemm), a.sgemm);
  bind(lib, file, AIRTP_STR(cublasSgemmStridedBatched), a.sgemm_strided_batched);
  return a;  // the library stays open for the life of the process
}

}  // namespace

const CublasApi& cublas() {
  static std::once_flag once;
  static CublasApi api;
  std::call_once(once, [] { api = load(); });
  return api;
}

}  // namespace airtp::gpu
