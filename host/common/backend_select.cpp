#include "host/common/backend_select.hpp"

#include "host/common/errors.hpp"

namespace airtp {

Backend select_backend(const std::string& name) {
  if (name == "cpu") return Backend::cpu;
  if (name == "auto") return cuda_device_count() > 0 ? Backend::cuda : Backend::cpu;
  if (name == "cuda") {
    if (!cuda_built()) throw InputError("--backend cuda: this airtp was built without the CUDA backend (nvcc not found at build time)");
    if (cuda_device_count() == 0) throw InputError("--backend cuda: no CUDA GPU is visible on this machine");
    return Backend::cuda;
  }
  throw InputError("--backend: must be auto, cpu or cuda, got '" + name + "'");
}

}  // namespace airtp
