// Tensor-parallel split of a LLaMA model over N devices from an assignment vector m on the
// simplex (SPEC §1, §5). Attention is split by heads: when N <= n_kv_heads each device takes
// whole KV groups (about m_n of them, largest remainder); when N exceeds the KV heads, query
// heads are dealt out instead, at least one per device and never across a KV-group boundary,
// so each device holds a replica of exactly one KV head (vLLM's replication, generalised to
// uneven shares and to N that does not divide the heads: the split closest to m_n * n_heads in
// least squares). The MLP is split by hidden neurons (largest remainder). Every device owns a
// contiguous range of query heads and of neurons.
#pragma once
#include <string>
#include <vector>
#include "kernels/model_weights.hpp"
#include "kernels/tp_plan.hpp"

namespace airtp {

// Largest-remainder rounding of m_n * total to integers summing to total (ties go to the
// lower index). m must be non-negative and sum to 1 (checked by the caller).
std::vector<int> largest_remainder(const std::vector<double>& m, int total);

// Validates m (length N, non-negative, sums to 1 within 1e-6; N <= n_heads) and builds the plan.
// Throws InputError naming `flag` on bad input.
TpPlan make_tp_plan(const ModelConfig& cfg, const std::vector<double>& m, const std::string& flag = "--m");

// Single-device plan (the unsplit model).
TpPlan unsplit_plan(const ModelConfig& cfg);

// Parses "uniform" or a comma-separated list of N shares (normalised if they sum to within
// 1e-6 of 1; otherwise an InputError naming the flag).
std::vector<double> parse_assignment(const std::string& text, int n_dev, const std::string& flag = "--m");

}  // namespace airtp
