// The exact all-reduce kernel alone (kernels/transformer_cuda.cu), for benchmarks and tests.
// Builds without CUDA define it too (host/model/transformer_gpu.cpp), where the constructor throws.
#pragma once

namespace airtp {

// The on-device exact all-reduce alone, for benchmarks and tests: N blocks of n floats in
// device memory summed into one block (the kernel the forward pass uses).
class ExactSumGpu {
 public:
  ExactSumGpu(int n_dev, long n);
  ~ExactSumGpu();
  ExactSumGpu(const ExactSumGpu&) = delete;
  ExactSumGpu& operator=(const ExactSumGpu&) = delete;
  void upload(const float* parts);  // N x n floats from host memory
  // Runs the sum `reps` times back to back; returns the seconds of one sum (CUDA events).
  double time(int reps);
  void download(float* out) const;  // the last sum, n floats
  long bytes_moved() const { return (long)(n_dev_ + 1) * n_ * (long)sizeof(float); }

 private:
  int n_dev_;
  long n_;
  float* parts_ = nullptr;  // device memory
  float* out_ = nullptr;
};

}  // namespace airtp
