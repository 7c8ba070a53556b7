#include "host/assign/ssca.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <iostream>
#include <numeric>
#include <sstream>

#include "host/common/errors.hpp"
#include "host/runs/engine.hpp"

namespace airtp {

FeasibleSet feasible_set(const Link& link, double margin) {
  FeasibleSet f;
  const double bytes = link.shape.split_bytes(), stot = link.shape.layer_matmul_params();
  double total = 0;
  for (size_t n = 0; n < link.devices.size(); ++n) {
    const Device& d = link.devices[n];
    const double budget = link.budget.at(0)[n];
    const double mem = d.memory_bytes / bytes;
    const double en = d.energy_per_param > 0 ? (1 - margin) * budget / (d.energy_per_param * stot) : INFINITY;
    f.memory_cap.push_back(mem);
    f.energy_cap.push_back(en);
    f.cap.push_back(std::min({1.0, mem, en}));
    total += f.cap.back();
  }
  if (total < 1) {
    std::ostringstream msg;
    msg << "devices: no feasible assignment: the largest shares the devices can hold sum to " << total
        << " < 1 (model: " << link.shape.name << ", " << bytes << " bytes split, s_tot = " << stot
        << " parameters per layer)";
    for (size_t n = 0; n < link.devices.size(); ++n) {
      if (f.cap[n] >= 1) continue;
      const Device& d = link.devices[n];
      msg << "; device[" << n << "] (" << d.preset << "): ";
      if (f.memory_cap[n] <= f.energy_cap[n])
        msg << "memory_bytes = " << d.memory_bytes << " holds m_n <= " << f.memory_cap[n];
      else
        msg << "an energy budget of " << link.budget.at(0)[n] << " J with energy_per_param = " << d.energy_per_param
            << " J leaves c_n > 0 only for m_n <= " << f.energy_cap[n];
    }
    throw InputError(msg.str());
  }
  return f;
}

bool is_feasible(const std::vector<double>& m, const FeasibleSet& f, double tol, bool simplex) {
  double sum = 0;
  for (size_t n = 0; n < m.size(); ++n) {
    if (!(m[n] >= -tol && m[n] <= f.cap[n] + tol)) return false;
    sum += m[n];
  }
  return !simplex || std::fabs(sum - 1) <= tol * std::max<size_t>(1, m.size());
}

std::vector<double> project_capped_simplex(const std::vector<double>& y, const std::vector<double>& cap) {
  const int n = (int)y.size();
  auto total = [&](double lam) {
    double t = 0;
    for (int i = 0; i < n; ++i) t += std::clamp(y[i] - lam, 0.0, cap[i]);
    return t;
  };
  // total(lambda) is continuous, non-increasing and linear between the breakpoints y_i - cap_i
  // and y_i: bracket the root between two consecutive breakpoints, then solve the line.
  std::vector<double> bp;
  for (int i = 0; i < n; ++i) bp.push_back(y[i] - cap[i]), bp.push_back(y[i]);
  std::sort(bp.begin(), bp.end());
  double lam = bp.front();
  if (total(bp.front()) > 1) {
    size_t lo = 0, hi = bp.size() - 1;  // total(bp[lo]) > 1 >= total(bp[hi]) = 0
    while (hi - lo > 1) {
      const size_t mid = (lo + hi) / 2;
      (total(bp[mid]) > 1 ? lo : hi) = mid;
    }
    const double tl = total(bp[lo]), th = total(bp[hi]);
    lam = bp[lo] + (tl - 1) / (tl - th) * (bp[hi] - bp[lo]);
  }
  std::vector<double> m(n);
  for (int i = 0; i < n; ++i) m[i] = std::clamp(y[i] - lam, 0.0, cap[i]);
  return m;
}

std::vector<double> minimise_surrogate(const std::vector<double>& m0, const std::vector<double>& grad, double curvature,
                                       const std::vector<double>& cap) {
  std::vector<double> y(m0.size());
  for (size_t i = 0; i < y.size(); ++i) y[i] = m0[i] - grad[i] / (2 * curvature);
  return project_capped_simplex(y, cap);
}

AlphaParams assign_params(const Link& link, const std::vector<double>& m, uint32_t stream) {
  AlphaParams p = alpha_params(link, 0, stream);
  const std::vector<double> e = slot_energies(link, m, 0);
  for (size_t n = 0; n < e.size(); ++n) p.slot_energy[n] = e[n];
  return p;
}

SampleGrad sample_alpha_grad(const Link& link, const std::vector<double>& m, Solver solver, const SolverOptions& o,
                             uint64_t first, long count, double smooth_p) {
  const AlphaParams p = assign_params(link, m, kStreamTrain);
  const int N = p.ch.n_dev, nr = p.ch.n_rx, L = p.n_streams;
  std::vector<double> alpha((size_t)count);
  std::vector<std::complex<double>> G((size_t)count * nr * L);
  solve_designs(p, solver, o, first, count, alpha.data(), nullptr, G.data());
  // f_n(G) per device and realization (unit energy), then / E_n: alpha is their max. Weights of
  // the devices in d alpha / d m: the active one only (hard), or the p-norm softmax weights
  // (f_n / f_max)^p / sum, the envelope-theorem gradient of the smoothed max at p.
  std::vector<double> f((size_t)count * N);
  device_terms_cpu(p, G.data(), first, count, f.data());
  const double stot = link.shape.layer_matmul_params();
  SampleGrad r;
  r.grad.assign(N, 0.0);
  std::vector<double> w((size_t)N);
  // Sums in realization order: the result does not depend on the thread count.
  for (long i = 0; i < count; ++i) {
    if (!(alpha[i] < INFINITY)) {
      ++r.outages;
      continue;
    }
    double fmax = 0;
    int active = -1;
    for (int n = 0; n < N; ++n) {
      const double v = f[(size_t)i * N + n] / p.slot_energy[n];
      f[(size_t)i * N + n] = v;
      if (v > fmax) fmax = v, active = n;
    }
    if (active < 0 || !(fmax < INFINITY)) {
      ++r.outages;
      continue;
    }
    double wsum = 0;
    for (int n = 0; n < N; ++n) {
      w[n] = smooth_p > 0 ? std::pow(f[(size_t)i * N + n] / fmax, smooth_p) : (n == active ? 1.0 : 0.0);
      wsum += w[n];
    }
    r.alpha += alpha[i];
    for (int n = 0; n < N; ++n)
      r.grad[n] += alpha[i] * (w[n] / wsum) * link.devices[n].energy_per_param * stot / residual_energy(link, n, m[n], 0);
    ++r.used;
  }
  if (r.used > 0) {
    r.alpha /= r.used;
    for (double& g : r.grad) g /= r.used;
  }
  return r;
}

Level validation_level(Backend b, const Link& link, const std::vector<double>& m, Solver solver,
                       const SolverOptions& o, long count, const FeasibleSet& f, bool simplex) {
  Level lv;
  if (!is_feasible(m, f, 1e-9, simplex)) {
    lv.feasible = false;
    lv.mse_ok = lv.stderr_ok = false;
    return lv;
  }
  const AlphaParams p = assign_params(link, m, kStreamValidation);
  std::vector<double> alpha(count), mis(count);
  solve_alpha_batch(b, p, solver, o, 0, count, alpha.data(), mis.data());
  double sum = 0, sq = 0;
  long used = 0;
  for (long i = 0; i < count; ++i) {
    const double a = alpha[i];
    if (!(a < INFINITY)) {
      ++lv.outages;
      continue;
    }
    const double v = link.sigma2[0] * a + mis[i];
    sum += v, sq += v * v, ++used;
  }
  if (used == 0) {  // every validation realization is an outage
    lv.mse_ok = lv.stderr_ok = false;
    return lv;
  }
  lv.mse = sum / used;
  lv.stderr_ok = used > 1;
  if (lv.stderr_ok) lv.stderr_ = std::sqrt(std::max(0.0, (sq - sum * sum / used) / (used - 1)) / used);
  return lv;
}

void validate(const SscaOptions& o) {
  auto need = [](bool ok, const std::string& field, const std::string& what) {
    if (!ok) throw InputError(field + ": " + what);
  };
  need(o.iterations >= 1 && o.iterations <= 1000000, "ssca.iterations (--iterations)", "must be between 1 and 10^6");
  need(o.batch >= 1 && o.batch <= (1L << 24), "ssca.batch (--batch)", "must be between 1 and 2^24");
  need(o.validation >= 2 && o.validation <= (1L << 24), "ssca.validation (--validation)", "must be between 2 and 2^24");
  need(o.validate_every >= 1, "ssca.validate_every (--validate-every)", "must be >= 1");
  need(o.rho_exp > 0.5 && o.rho_exp <= 1, "ssca.rho_exp",
       "must be in (0.5, 1] so that sum rho = inf and sum rho^2 < inf");
  need(o.gamma_exp > 0.5 && o.gamma_exp <= 1, "ssca.gamma_exp",
       "must be in (0.5, 1] so that sum gamma = inf and sum gamma^2 < inf");
  need(o.gamma_exp > o.rho_exp, "ssca.gamma_exp", "must exceed ssca.rho_exp so that gamma/rho -> 0");
  need(o.rho_scale > 0 && o.rho_scale <= 1, "ssca.rho_scale", "must be in (0, 1]");
  need(o.gamma_scale > 0 && o.gamma_scale <= 1, "ssca.gamma_scale", "must be in (0, 1]");
  need(std::isfinite(o.curvature) && o.curvature > 0, "ssca.curvature", "must be > 0");
  need(std::isfinite(o.smooth_p) && o.smooth_p >= 0, "ssca.smooth_p", "must be >= 0 (0: active device only)");
  need(o.energy_margin > 0 && o.energy_margin < 1, "ssca.energy_margin", "must be in (0, 1)");
}

SscaTrace run_ssca(Backend b, const Link& link, Solver solver, const SolverOptions& so, const SscaOptions& o,
                   bool quiet, const Checkpoint* ckpt) {
  validate(o);
  const int N = (int)link.devices.size();
  const FeasibleSet f = feasible_set(link, o.energy_margin);
  std::vector<double> m = o.m0;
  if (m.empty()) {
    m = project_capped_simplex(std::vector<double>(N, 1.0 / N), f.cap);
  } else {
    if ((int)m.size() != N)
      throw InputError("ssca.m0: has " + std::to_string(m.size()) + " entries for " + std::to_string(N) + " devices");
    if (!is_feasible(m, f, 1e-6))
      throw InputError("ssca.m0: not feasible (must sum to 1 and respect each device's memory and energy caps)");
  }
  SscaTrace t;
  t.m = m;
  std::vector<double> gavg(N, 0.0);
  double vavg = 0;
  // One iteration's outcome, the unit of checkpoints: rho, gamma, the mini-batch alpha, the
  // averaged objective, alpha_ref, the averaged gradient (N), m after the step (N), then two
  // validation slots (m^0 at the first iteration, m^{tau+1} when scheduled): present, mse,
  // stderr, outages, mse_ok, stderr_ok.
  const size_t rec_size = 2 * (size_t)N + 17, v0 = 5 + 2 * (size_t)N, v1 = v0 + 6;
  auto put_level = [](std::vector<double>& r, size_t at, const Level& l) {
    r[at] = 1, r[at + 1] = l.mse, r[at + 2] = l.stderr_, r[at + 3] = (double)l.outages;
    r[at + 4] = l.mse_ok, r[at + 5] = l.stderr_ok;
  };
  auto apply = [&](const std::vector<double>& r, int tau) {
    t.rho.push_back(r[0]), t.gamma.push_back(r[1]), t.sample_alpha.push_back(r[2]);
    vavg = r[3];
    t.surrogate_value.push_back(vavg);
    t.alpha_ref = r[4];
    gavg.assign(r.begin() + 5, r.begin() + 5 + N);
    t.grad_avg.insert(t.grad_avg.end(), gavg.begin(), gavg.end());
    m.assign(r.begin() + 5 + N, r.begin() + 5 + 2 * N);
    t.m.insert(t.m.end(), m.begin(), m.end());
    for (const auto& [at, iter] : {std::pair<size_t, int64_t>{v0, 0}, {v1, tau + 1}})
      if (r[at] != 0) {
        t.val_iter.push_back(iter), t.val_mse.push_back(r[at + 1]), t.val_stderr.push_back(r[at + 2]);
        t.val_outages.push_back((int64_t)r[at + 3]);
        t.val_mse_ok.push_back(r[at + 4] != 0), t.val_stderr_ok.push_back(r[at + 5] != 0);
      }
  };
  auto step = [&](int tau) {
    const SampleGrad g = sample_alpha_grad(link, m, solver, so, (uint64_t)tau * o.batch, o.batch, o.smooth_p);
    if (g.used == 0)
      throw InputError("every realization of mini-batch " + std::to_string(tau) +
                       " is an outage (rank-deficient channels): check channel.n_rx, channel.streams and the devices");
    std::vector<double> rec(rec_size, 0.0);
    const double alpha_ref = tau == 0 ? g.alpha : t.alpha_ref;
    const double rho = o.rho_scale / std::pow(tau + 1.0, o.rho_exp);
    const double gamma = o.gamma_scale / std::pow(tau + 1.0, o.gamma_exp);
    rec[0] = rho, rec[1] = gamma, rec[2] = g.alpha, rec[4] = alpha_ref;
    rec[3] = (1 - rho) * vavg + rho * g.alpha / alpha_ref;
    std::vector<double> gnew(N), mnew(N);
    for (int n = 0; n < N; ++n) gnew[n] = (1 - rho) * gavg[n] + rho * g.grad[n] / alpha_ref;
    const std::vector<double> mhat = minimise_surrogate(m, gnew, o.curvature, f.cap);
    for (int n = 0; n < N; ++n) mnew[n] = (1 - gamma) * m[n] + gamma * mhat[n];
    std::copy(gnew.begin(), gnew.end(), rec.begin() + 5);
    std::copy(mnew.begin(), mnew.end(), rec.begin() + 5 + N);
    // Validation of m^0 first, then of each m^{tau+1} the schedule asks for.
    const bool last = tau + 1 == o.iterations;
    if (tau == 0) put_level(rec, v0, validation_level(b, link, m, solver, so, o.validation, f));
    if ((tau + 1) % o.validate_every == 0 || last) put_level(rec, v1, validation_level(b, link, mnew, solver, so, o.validation, f));
    return rec;
  };
  run_sequence("assign", o.iterations, rec_size, ckpt, quiet, step, apply);
  t.final_m = m;
  return t;
}

}  // namespace airtp
