#pragma once
namespace airtp {
// Package version and git description of the source this binary was built from.
const char* code_version();
}  // namespace airtp
