// Host API of the batched kernels: the entry points host code calls, with plain parameters
// (kernels/params.hpp). The math itself is __host__ __device__ code in the .cuh files, compiled
// once for the CPU backend (kernels/*.cpp, Thrust's OpenMP system or plain OpenMP loops) and
// once for the CUDA backend (kernels/*.cu); host translation units include only this header,
// so they compile none of it. Results of the two backends agree to rounding and draw
// identical random numbers.
#pragma once
#include <complex>
#include <cstdint>
#include <string>

#include "kernels/params.hpp"

namespace airtp {

enum class Backend { cpu, cuda };

const char* backend_name(Backend b);
// True when this binary contains the CUDA backend.
bool cuda_built();
// Number of usable CUDA devices (0 when not built or no GPU).
int cuda_device_count();
// Human-readable device: CPU model and thread count, or the GPU's name.
std::string device_description(Backend b);

// alpha of `count` realizations first, first+1, ... of one configuration (host memory out);
// with `misalignment` non-null, also each realization's misalignment of imperfect CSI.
void alpha_batch(Backend b, const AlphaParams& p, uint64_t first, long count, double* alpha,
                 double* misalignment = nullptr);

// Signal-level simulation of `count` realizations with n_slots symbol slots each.
void sim_batch(Backend b, const AlphaParams& p, double sigma2, int n_slots, const RngKey& sym_key,
               const RngKey& noise_key, uint64_t first, long count, SimResult* out);

// ---- CPU backend only (OpenMP over realizations) -----------------------------------------

// The designs themselves: alpha, misalignment and G (n_rx x L, column-major, ||G||_F = 1;
// zeros for an outage) of each realization, G holding count * n_rx * L entries. Equal to
// alpha_batch(Backend::cpu, ...) bit for bit.
void design_batch_cpu(const AlphaParams& p, uint64_t first, long count, double* alpha, double* misalignment,
                      std::complex<double>* G);

// Channel matrices of realizations [first, first + count): H (true) and, when Hhat is non-null,
// the estimates the design sees (equal to H with perfect CSI); each count * N * n_rx * n_tx
// entries, realization-major, then device, column-major within a device.
void channel_batch_cpu(const ChannelParams& ch, uint64_t first, long count, std::complex<double>* H,
                       std::complex<double>* Hhat);

// f_n(G) = tr((G^H Hd_n Hd_n^H G)^{-1}) of every device (unit energy; +inf where singular) for
// given designs G (as design_batch_cpu returns them): f holds count * N values.
void device_terms_cpu(const AlphaParams& p, const std::complex<double>* G, uint64_t first, long count, double* f);

// alpha(G) = max_n tr((G^H H_n H_n^H G)^{-1}) / E_n of one design on given channels (H: N
// matrices n_rx x n_tx column-major), +inf when some matrix is singular (the SDR candidates).
double exact_alpha_cpu(const std::complex<double>* H, int n_dev, int n_rx, int n_tx, const double* E,
                       const std::complex<double>* G, int L);

// Misalignment sum_n ||A^H H_n B_n - I||_F^2 of one design G (n_rx x L) whose zero-forcing
// precoders come from the estimates Hhat while the signal goes through H (both N matrices
// n_rx x n_tx, column-major); +inf when some G^H Hhat_n Hhat_n^H G is singular.
double misalignment_cpu(const std::complex<double>* H, const std::complex<double>* Hhat, int n_dev, int n_rx,
                        int n_tx, const std::complex<double>* G, int L);

// Draw `index` of realization `real`, uniform in (0, 1] (kernels/rng.cuh, uniform01).
double uniform_draw(const RngKey& key, uint64_t real, uint64_t index);

// `count` draws CN(0, 1) number first_index, first_index + 1, ... of realization `real`.
void cnormal_batch(const RngKey& key, uint64_t real, uint64_t first_index, long count, std::complex<double>* out);

// A designed AirComp link as the accuracy simulation applies it, in single precision (the
// activations are fp32), for realizations [first, first + count) of p from their designs
// (alpha, G as design_batch_cpu returns them): A = sqrt(alpha) G, zero-forcing precoders B_n
// from the channels the design sees, and what the server then gets from the true channels.
struct LinkArrays {
  std::complex<float>* E;   // count x N x (L x L), row-major: A^H H_n B_n (I under perfect CSI)
  std::complex<float>* AH;  // count x (L x n_rx), row-major: the receive combiner A^H
  std::complex<float>* C;   // count x (L x L), row-major lower factor of A^H A (projected noise)
  unsigned char* outage;    // count: 1 where no link exists (singular design)
};
void link_batch_cpu(const AlphaParams& p, const double* alpha, const std::complex<double>* G, uint64_t first,
                    long count, const LinkArrays& out);

// Digital all-reduce, quantization error of the sum (kernels/quantize.cuh,
// digital_mse_realization) for realizations [first, first + count): out[b][i] for bits[b].
void digital_mse_batch(const RngKey& key, uint64_t first, long count, int n_dev, int block, const int* bits,
                       int n_bits, double per_symbols, double* const* out);

// One token row of an AirComp or FDMA all-reduce (kernels/air_reduce.cuh, air_reduce_row) and
// of the digital one (digital_reduce_row; tmp holds dim floats), on the CPU.
void air_reduce_row_cpu(const AirRowParams& p, const AirRowLinks& links, const float* const* parts, float* out);
void digital_reduce_row_cpu(int n_dev, int dim, int bits, const float* const* parts, float* tmp, float* out);

// Q-bit uniform quantization of n values in place over [-a, a], a = max |x| (the digital
// all-reduce of the accuracy simulation).
void quantize_uniform_f32(float* x, int n, int bits);

// ---- CUDA implementations (kernels/*.cu); only linked when the CUDA backend is built ------
void alpha_batch_cuda(const AlphaParams& p, uint64_t first, long count, AlphaOut* out);
void sim_batch_cuda(const AlphaParams& p, double sigma2, int n_slots, const RngKey& sym_key, const RngKey& noise_key,
                    uint64_t first, long count, SimResult* out);
int cuda_device_count_impl();
std::string cuda_device_name_impl();

}  // namespace airtp
