// In-memory LLaMA-family model: configuration and fp32 weights, whatever file they came
// from (llama2.c checkpoint or GGUF). Matrices are row-major [out][in], as in llama2.c.
#pragma once
#include <string>
#include <vector>

namespace airtp {

struct ModelConfig {
  std::string name;          // e.g. "stories260K"
  int dim = 0;               // hidden size
  int hidden_dim = 0;        // MLP inner size
  int n_layers = 0;
  int n_heads = 0;           // query heads
  int n_kv_heads = 0;        // key/value heads (grouped-query attention when < n_heads)
  int vocab_size = 0;
  int seq_len = 0;           // maximum context
  float norm_eps = 1e-5f;    // RMSNorm epsilon
  float rope_theta = 10000.f;
  // RoPE pairs: false rotates consecutive elements (2i, 2i+1) of each head (llama2.c, and
  // llama.cpp's "NORM" type used for `llama`); true rotates (i, i + head_dim/2) (GPT-NeoX
  // layout, llama.cpp's "NEOX" type used for `qwen2`).
  bool rope_neox = false;
  int head_dim() const { return dim / n_heads; }
};

struct LayerWeights {
  std::vector<float> attn_norm;  // [dim]
  std::vector<float> wq;         // [n_heads*head_dim][dim]
  std::vector<float> wk;         // [n_kv_heads*head_dim][dim]
  std::vector<float> wv;         // [n_kv_heads*head_dim][dim]
  std::vector<float> wo;         // [dim][n_heads*head_dim]
  std::vector<float> ffn_norm;   // [dim]
  std::vector<float> w1;         // gate [hidden_dim][dim]
  std::vector<float> w2;         // down [dim][hidden_dim]
  std::vector<float> w3;         // up   [hidden_dim][dim]
  // Biases of the Q, K and V projections (qwen2); empty when the model has none.
  std::vector<float> bq;         // [n_heads*head_dim]
  std::vector<float> bk;         // [n_kv_heads*head_dim]
  std::vector<float> bv;         // [n_kv_heads*head_dim]
};

struct ModelWeights {
  ModelConfig cfg;
  std::vector<float> tok_embedding;  // [vocab][dim]
  std::vector<LayerWeights> layers;
  std::vector<float> final_norm;     // [dim]
  std::vector<float> classifier;     // [vocab][dim]; empty when shared with tok_embedding
  const std::vector<float>& output_matrix() const { return classifier.empty() ? tok_embedding : classifier; }
  bool has_qkv_bias() const { return !layers.empty() && !layers[0].bq.empty(); }
};

}  // namespace airtp
