// Shapes of LLaMA-family models without their weights: enough to count parameters, bytes and
// FLOPs (the latency model, SPEC §6), the parameters the tensor-parallel split shares out (s_tot,
// the energy and memory constraints of SPEC §4-5) and the all-reduce payload (L_0). A shape comes
// from a built-in name (the bundled models and the public LLaMA configurations) or from a model
// file's header (llama2.c checkpoint or GGUF metadata), so every command reads `model` alike.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "kernels/model_weights.hpp"

namespace airtp {

struct ModelShape {
  std::string name;
  int64_t dim = 0;         // hidden size
  int64_t hidden_dim = 0;  // MLP inner size
  int64_t n_layers = 0;
  int64_t n_heads = 0;     // query heads
  int64_t n_kv_heads = 0;  // key/value heads (grouped-query attention when < n_heads)
  int64_t vocab_size = 0;
  bool shared_classifier = false;  // classifier tied to the token embedding (no own weights)
  double bytes_per_param = 2.0;    // what one stored weight costs (fp16 unless told)
  int64_t seq_len = 0;             // context length (0: unknown)

  int64_t head_dim() const { return dim / n_heads; }
  int64_t kv_dim() const { return n_kv_heads * head_dim(); }
  // Weights of the matrices of one layer: Q, K, V, O and the gate/up/down MLP matrices. This is
  // s_tot of SPEC §4, the parameters of one layer that tensor parallelism shares out.
  double layer_matmul_params() const;
  // All weights of one layer: the matrices plus the two RMSNorm weight vectors.
  double layer_params() const;
  double embedding_params() const { return double(vocab_size) * double(dim); }
  double classifier_params() const { return shared_classifier ? 0.0 : embedding_params(); }
  // Embedding + layers + final norm + classifier (the figure public model cards quote).
  double total_params() const;
  double model_bytes() const { return total_params() * bytes_per_param; }
  // Bytes of the split layers: what a share m_n of the model costs in memory (m_n x this).
  double split_bytes() const { return layer_matmul_params() * double(n_layers) * bytes_per_param; }
};

// Throws InputError naming `what` if a field is not positive or heads do not divide dim.
void validate_shape(const ModelShape& s, const std::string& what);

// Built-in shapes: the bundled "stories260K" and "smollm2-135m", and "llama2-7b",
// "llama2-13b", "llama2-70b", "llama3-8b", "llama3-70b" (public configurations).
const std::vector<std::string>& known_shape_names();
bool is_known_shape(const std::string& name);
// InputError listing the known names if `name` is not one of them (case-insensitive).
ModelShape known_shape(const std::string& name);

// A built-in name, or else a model file (llama2.c checkpoint or GGUF, told apart by content;
// only the header or metadata is read). `field` names the option in errors.
ModelShape model_shape(const std::string& spec, const std::string& field);

// Shape of any loaded model; bytes_per_param is what the deployment would store.
ModelShape shape_from_config(const ModelConfig& cfg, bool shared_classifier, double bytes_per_param = 2.0);

// Reads only the 28-byte llama2.c header (7 int32: dim, hidden_dim, n_layers, n_heads,
// n_kv_heads, vocab_size, seq_len; a positive vocab_size means the classifier is shared with
// the embedding). InputError naming the file if it is missing, short or implausible.
ModelShape shape_from_llama2c_header(const std::string& path, double bytes_per_param = 2.0);
// The llama-family metadata of a GGUF file (no tensor data read).
ModelShape shape_from_gguf(const std::string& path, double bytes_per_param = 2.0);

// FLOPs of one generated token (one multiply-add = 2 FLOPs). What is counted, exactly:
//  - per layer: 2 x layer_matmul_params (the Q, K, V, O, gate, up, down matrix-vector
//    products) plus attention over `context_len` cached positions: scores q.k and the
//    weighted sum of values, 2 x 2 x n_heads x head_dim x context_len;
//  - unsplit (on one device): the classifier, 2 x dim x vocab. The embedding is a table
//    look-up (0 FLOPs).
//  Not counted: RMSNorms, RoPE, softmax, SiLU and residual additions (element-wise, below
//  0.1% of the total for the shapes above).
double layer_flops(const ModelShape& s, int64_t context_len);
double unsplit_flops(const ModelShape& s);

}  // namespace airtp
