// Host-side entry points of the batched kernels. Each operation runs on the CPU backend
// (Thrust's OpenMP system) or the CUDA backend (Thrust's CUDA system) from the same
// __host__ __device__ source; results agree to rounding and draw identical random numbers.
#pragma once
#include <cstdint>
#include <string>
#include "kernels/aircomp_sim.cuh"

namespace airtp {

enum class Backend { cpu, cuda };

const char* backend_name(Backend b);
// True when this binary contains the CUDA backend.
bool cuda_built();
// Number of usable CUDA devices (0 when not built or no GPU).
int cuda_device_count();
// Human-readable device: CPU model and thread count, or the GPU's name.
std::string device_description(Backend b);

// alpha of `count` realizations first, first+1, ... of one configuration (host memory out).
void alpha_batch(Backend b, const AlphaParams& p, uint64_t first, long count, double* out);

// Signal-level simulation of `count` realizations with n_slots symbol slots each.
void sim_batch(Backend b, const AlphaParams& p, double sigma2, int n_slots, const RngKey& sym_key,
               const RngKey& noise_key, uint64_t first, long count, SimResult* out);

// CUDA implementations (kernels/*.cu); only linked when the CUDA backend is built.
void alpha_batch_cuda(const AlphaParams& p, uint64_t first, long count, double* out);
void sim_batch_cuda(const AlphaParams& p, double sigma2, int n_slots, const RngKey& sym_key, const RngKey& noise_key,
                    uint64_t first, long count, SimResult* out);
int cuda_device_count_impl();
std::string cuda_device_name_impl();

}  // namespace airtp
