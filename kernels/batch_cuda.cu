// CUDA backend: the same functors as kernels/batch_cpu.cpp through Thrust's CUDA system.
// Scratch is interleaved within each warp (kernels/common.cuh, scratch_for) so that a warp's
// loads coalesce.
#include <cuda_runtime.h>

#include <cstdlib>
#include <cstring>
#include "kernels/backend.hpp"
#include "kernels/aircomp_sim.cuh"
#include "kernels/batch_launch.cuh"

namespace airtp {

// Realizations in flight on the GPU: enough to fill every SM several times over, bounded so
// that scratch stays below ~2 GiB.
static long gpu_chunk(long per) {
  const long budget = 2L << 30;
  return std::max(1024L, std::min(1L << 17, budget / (per * (long)sizeof(cplx))));
}

// AIRTP_GPU_LAYOUT=batch selects the whole-chunk interleave (for comparison); default warp.
static int gpu_layout() {
  const char* e = std::getenv("AIRTP_GPU_LAYOUT");
  return e && std::strcmp(e, "batch") == 0 ? kLayoutBatch : kLayoutWarp;
}

int cuda_device_count_impl() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();
    return 0;
  }
  return n;
}

std::string cuda_device_name_impl() {
  if (cuda_device_count_impl() == 0) return "none";
  int dev = 0;
  cudaGetDevice(&dev);
  cudaDeviceProp prop{};
  cudaGetDeviceProperties(&prop, dev);
  return std::string(prop.name) + " (sm_" + std::to_string(prop.major) + std::to_string(prop.minor) + ")";
}

void alpha_batch_cuda(const AlphaParams& p, uint64_t first, long count, AlphaOut* out) {
  AlphaFunctor f{p, nullptr, 0, 0, kLayoutWarp, 0, nullptr};
  const long per = alpha_scratch_size(p);
  launch_chunks(f, per, gpu_chunk(per), gpu_layout(), first, count, out);
}

void sim_batch_cuda(const AlphaParams& p, double sigma2, int n_slots, const RngKey& sym_key, const RngKey& noise_key,
                    uint64_t first, long count, SimResult* out) {
  SimFunctor f{p, sigma2, n_slots, sym_key, noise_key, nullptr, 0, 0, kLayoutWarp, 0, nullptr};
  const long per = sim_scratch_size(p);
  launch_chunks(f, per, gpu_chunk(per), gpu_layout(), first, count, out);
}

}  // namespace airtp
