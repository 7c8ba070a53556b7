#pragma once
#include <string>
#include "kernels/backend.hpp"

namespace airtp {
// "auto" picks CUDA when this binary has it and a GPU is present, else the CPU backend.
// "cuda" without a usable GPU is an InputError naming --backend.
Backend select_backend(const std::string& name);
}  // namespace airtp
