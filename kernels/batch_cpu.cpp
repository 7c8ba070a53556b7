// CPU backend: the batched kernels through Thrust's OpenMP system (compiled by g++ with
// THRUST_DEVICE_SYSTEM=THRUST_DEVICE_SYSTEM_OMP, see CMakeLists.txt).
#include <omp.h>
#include <fstream>
#include <stdexcept>
#include <vector>
#include "kernels/backend.hpp"
#include "kernels/aircomp_sim.cuh"
#include "kernels/batch_launch.cuh"

namespace airtp {

// Chunk size on the CPU: enough realizations per chunk to keep every thread busy with
// dynamic balance, small enough for the scratch to stay in cache-sized pieces.
static long cpu_chunk() { return 256L * std::max(1, omp_get_max_threads()); }

const char* backend_name(Backend b) { return b == Backend::cuda ? "cuda" : "cpu"; }

bool cuda_built() {
#ifdef AIRTP_HAVE_CUDA
  return true;
#else
  return false;
#endif
}

int cuda_device_count() {
#ifdef AIRTP_HAVE_CUDA
  return cuda_device_count_impl();
#else
  return 0;
#endif
}

std::string device_description(Backend b) {
  if (b == Backend::cuda) {
#ifdef AIRTP_HAVE_CUDA
    return cuda_device_name_impl();
#else
    return "none";
#endif
  }
  std::ifstream in("/proc/cpuinfo");
  std::string line, model = "unknown CPU";
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  return model + " (" + std::to_string(omp_get_max_threads()) + " OpenMP threads)";
}

static void require_cuda() {
  if (!cuda_built()) throw std::runtime_error("the CUDA backend is not built into this binary");
  if (cuda_device_count() == 0) throw std::runtime_error("the CUDA backend found no GPU");
}

void alpha_batch(Backend b, const AlphaParams& p, uint64_t first, long count, double* alpha, double* misalignment) {
  if (count <= 0) return;
  std::vector<AlphaOut> out((size_t)count);
  if (b == Backend::cuda) {
    require_cuda();
#ifdef AIRTP_HAVE_CUDA
    alpha_batch_cuda(p, first, count, out.data());
#endif
  } else {
    AlphaFunctor f{p, nullptr, 0, 0, kLayoutContiguous, 0, nullptr};
    launch_chunks(f, alpha_scratch_size(p), cpu_chunk(), kLayoutContiguous, first, count, out.data());
  }
  for (long i = 0; i < count; ++i) {
    alpha[i] = out[(size_t)i].alpha;
    if (misalignment) misalignment[i] = out[(size_t)i].misalignment;
  }
}

void sim_batch(Backend b, const AlphaParams& p, double sigma2, int n_slots, const RngKey& sym_key,
               const RngKey& noise_key, uint64_t first, long count, SimResult* out) {
  if (count <= 0) return;
  if (b == Backend::cuda) {
    require_cuda();
#ifdef AIRTP_HAVE_CUDA
    sim_batch_cuda(p, sigma2, n_slots, sym_key, noise_key, first, count, out);
#endif
    return;
  }
  SimFunctor f{p, sigma2, n_slots, sym_key, noise_key, nullptr, 0, 0, kLayoutContiguous, 0, nullptr};
  launch_chunks(f, sim_scratch_size(p), cpu_chunk(), kLayoutContiguous, first, count, out);
}

}  // namespace airtp
