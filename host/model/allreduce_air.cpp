#include "host/model/allreduce_air.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "host/common/errors.hpp"
#include "kernels/backend.hpp"

namespace airtp {

namespace {
using cf = std::complex<float>;
}  // namespace

AirAllReduceBase::AirAllReduceBase(const AirSetup& s, bool fdma) : s_(s), fdma_(fdma) {
  if (!s.link) throw std::logic_error("AirAllReduce: no link");
  const Link& link = *s.link;
  L_ = link.L;
  N_ = link.ch.n_dev;
  nr_ = link.ch.n_rx;
  seed_ = link.ch.key.seed;
  if (s.level >= link.sigma2.size()) throw std::logic_error("AirAllReduce: noise level out of range");
  if (s.max_pos < 1 || s.n_realizations < 1 || s.n_layers < 1 || s.max_pos > s.seq_len)
    throw InputError("aircomp: empty channel grid (positions " + std::to_string(s.max_pos) + ", context " +
                     std::to_string(s.seq_len) + ")");
  sigma2_ = link.sigma2[s.level];
  const long per_pos = s.coherence == Coherence::per_token ? 1 : 2L * s.n_layers;
  const long per_real = (long)s.max_pos * per_pos;           // channels designed per realization
  const long n_chan = per_real * s.n_realizations;
  const int groups = fdma ? N_ : 1;                           // links per channel index
  const int nd = fdma ? 1 : N_;                               // devices per link
  const size_t n_links = (size_t)n_chan * groups;
  E_.assign(n_links * nd * L_ * L_, cf(0, 0));
  AH_.assign(n_links * L_ * nr_, cf(0, 0));
  C_.assign(n_links * L_ * L_, cf(0, 0));
  alpha_.assign(n_links, INFINITY);
  outage_.assign(n_links, 1);
  const AlphaParams all = alpha_params(link, s.level);
  std::vector<double> a((size_t)per_real);
  std::vector<std::complex<double>> G((size_t)per_real * nr_ * L_);
  std::vector<cf> e((size_t)per_real * nd * L_ * L_), ah((size_t)per_real * L_ * nr_), c((size_t)per_real * L_ * L_);
  std::vector<unsigned char> out((size_t)per_real);
  for (int g = 0; g < groups; ++g) {
    const AlphaParams p = fdma ? fdma_subband(all, g) : all;
    for (int ri = 0; ri < s.n_realizations; ++ri) {
      // The channels of realization r occupy indices r * seq_len * per_pos + [0, per_real).
      const uint64_t c0 = (s.first_realization + (uint64_t)ri) * (uint64_t)s.seq_len * (uint64_t)per_pos;
      solve_designs(p, s.solver, s.solver_options, c0, per_real, a.data(), nullptr, G.data());
      link_batch_cpu(p, a.data(), G.data(), c0, per_real, LinkArrays{e.data(), ah.data(), c.data(), out.data()});
      for (long k = 0; k < per_real; ++k) {
        const size_t li = ((size_t)ri * per_real + k) * groups + g;
        alpha_[li] = a[k];
        outage_[li] = out[k];
        std::copy(e.begin() + (long)k * nd * L_ * L_, e.begin() + (long)(k + 1) * nd * L_ * L_, E_.begin() + (long)li * nd * L_ * L_);
        std::copy(ah.begin() + (long)k * L_ * nr_, ah.begin() + (long)(k + 1) * L_ * nr_, AH_.begin() + (long)li * L_ * nr_);
        std::copy(c.begin() + (long)k * L_ * L_, c.begin() + (long)(k + 1) * L_ * L_, C_.begin() + (long)li * L_ * L_);
      }
    }
  }
}

double AirAllReduceBase::mean_alpha() const {
  double s = 0;
  long k = 0;
  for (size_t i = 0; i < alpha_.size(); ++i)
    if (!outage_[i]) s += alpha_[i], ++k;
  return k ? s / k : INFINITY;
}

void AirAllReduceBase::realization_stats(int ri, double& sum_alpha, double& designed, double& outages) const {
  const size_t per = alpha_.size() / (size_t)s_.n_realizations;
  sum_alpha = designed = outages = 0;
  for (size_t i = (size_t)ri * per; i < (size_t)(ri + 1) * per; ++i) {
    if (outage_[i]) {
      outages += 1;
    } else {
      sum_alpha += alpha_[i];
      designed += 1;
    }
  }
}

long AirAllReduceBase::outages() const {
  long k = 0;
  for (unsigned char o : outage_) k += o;
  return k;
}

uint64_t AirAllReduceBase::channel_index(uint64_t realization, int pos, int layer, int which) const {
  const uint64_t c = realization * (uint64_t)s_.seq_len + (uint64_t)pos;
  return s_.coherence == Coherence::per_token ? c : (c * s_.n_layers + layer) * 2 + which;
}

size_t AirAllReduceBase::link_slot(uint64_t realization, int pos, int layer, int which) const {
  if (realization < s_.first_realization || realization >= s_.first_realization + (uint64_t)s_.n_realizations ||
      pos < 0 || pos >= s_.max_pos)
    throw InputError("aircomp: realization " + std::to_string(realization) + " / position " + std::to_string(pos) +
                     " outside the prepared channel grid (" + std::to_string(s_.n_realizations) + " x " +
                     std::to_string(s_.max_pos) + ")");
  size_t c = (size_t)(realization - s_.first_realization) * s_.max_pos + pos;
  if (s_.coherence == Coherence::per_allreduce) c = (c * s_.n_layers + layer) * 2 + which;
  return c * (fdma_ ? N_ : 1);
}

void AirAllReduceBase::reduce(const float* const* parts, int n_dev, int rows, int dim, const AllReduceContext& ctx,
                              float* out) const {
  if (n_dev != N_)
    throw InputError("aircomp: configured for " + std::to_string(N_) + " devices, got " + std::to_string(n_dev));
  AirRowParams p{};
  p.n_dev = n_dev;
  p.dim = dim;
  p.L = L_;
  p.n_rx = nr_;
  p.fdma = fdma_ ? 1 : 0;
  p.literal = s_.literal_noise ? 1 : 0;
  p.noise_sd = (float)std::sqrt(sigma2_);
  p.noise_key = RngKey{seed_, (uint32_t)ctx.realization, kRngNoise};
  p.sequence = ctx.sequence;
  const int per_link = fdma_ ? 1 : N_;
  const int nd = s_.literal_noise ? nr_ : L_;
  std::vector<const float*> row(n_dev);
  for (int r = 0; r < rows; ++r) {
    const int pos = ctx.pos0 + r;
    const size_t l = link_slot(ctx.realization, pos, ctx.layer, ctx.which);
    p.noise_base = ((uint64_t)pos * s_.n_layers + ctx.layer) * 2 + ctx.which;
    const AirRowLinks k{reinterpret_cast<const cfloat*>(E_.data()) + l * per_link * L_ * L_,
                        reinterpret_cast<const cfloat*>(s_.literal_noise ? AH_.data() : C_.data()) + l * L_ * nd,
                        outage_.data() + l};
    for (int d = 0; d < n_dev; ++d) row[d] = parts[d] + (size_t)r * dim;
    air_reduce_row_cpu(p, k, row.data(), out + (size_t)r * dim);
  }
}

}  // namespace airtp
