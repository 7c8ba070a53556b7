#include "host/solvers/solve.hpp"

#include <omp.h>

#include <cmath>
#include <vector>

#include "host/common/errors.hpp"
#include "host/common/fork_workers.hpp"

namespace airtp {

const std::vector<std::string>& solver_names() {
  static const std::vector<std::string> n{"eigen", "random", "fast", "sdr"};
  return n;
}

Solver parse_solver(const std::string& name, const std::string& field) {
  if (name == "eigen") return Solver::eigen;
  if (name == "random") return Solver::random;
  if (name == "fast") return Solver::fast;
  if (name == "sdr") return Solver::sdr;
  throw InputError(field + ": unknown solver '" + name + "' (expected eigen, random, fast or sdr)");
}

const char* solver_name(Solver s) {
  switch (s) {
    case Solver::eigen: return "eigen";
    case Solver::random: return "random";
    case Solver::fast: return "fast";
    case Solver::sdr: return "sdr";
  }
  return "?";
}

// The kernel design that implements a non-SDP solver, with the solver's options applied.
static AlphaParams kernel_params(const AlphaParams& p, Solver s, const SolverOptions& o) {
  AlphaParams q = p;
  q.design = s == Solver::random ? kDesignRandom : s == Solver::fast ? kDesignFast : kDesignEigen;
  q.fast.starts = o.fast_starts;
  q.fast.iters = o.fast_iters;
  return q;
}

ChannelSet channel_set(const AlphaParams& p, uint64_t real, bool estimate) {
  const int N = p.ch.n_dev, nr = p.ch.n_rx, nt = p.ch.n_tx;
  ChannelSet c;
  c.L = p.n_streams;
  std::vector<std::complex<double>> H((size_t)N * nr * nt), Hh(estimate ? H.size() : 0);
  channel_batch_cpu(p.ch, real, 1, H.data(), estimate ? Hh.data() : nullptr);
  const std::vector<std::complex<double>>& src = estimate ? Hh : H;
  for (int n = 0; n < N; ++n) {
    Eigen::MatrixXcd M(nr, nt);
    std::copy(src.begin() + (long)n * nr * nt, src.begin() + (long)(n + 1) * nr * nt, M.data());
    c.H.push_back(std::move(M));
    c.E.push_back(p.slot_energy[n]);
  }
  return c;
}

// CSDP is not thread-safe (its solves are serialised within a process), so the SDPs of a batch
// are spread over worker processes, one per OpenMP thread; each solves its share serially.
static int sdp_workers() { return omp_in_parallel() ? 1 : omp_get_max_threads(); }

static void sdr_batch(const AlphaParams& p, const SolverOptions& o, uint64_t first, long count, double* alpha_out,
                      double* mis_out, std::complex<double>* G_out) {
  const long nr = p.ch.n_rx, gsz = nr * p.n_streams, per = 2 + (G_out ? 2 * gsz : 0);
  const bool csi = p.ch.csi_nmse > 0;
  std::vector<double> res((size_t)(count * per));
  run_in_workers(count, per, sdp_workers(), [&](long i, double* r) {
    const uint64_t real = first + (uint64_t)i;
    const SdrResult d = sdr_design(channel_set(p, real, true), o.draws, p.design_key, real);
    r[0] = d.ok ? d.alpha : INFINITY;
    r[1] = 0;
    if (d.ok && csi) {
      // The precoders follow the estimates; the signal goes through the true channels.
      const int N = p.ch.n_dev, nt = p.ch.n_tx;
      std::vector<std::complex<double>> H((size_t)N * nr * nt), Hh(H.size());
      channel_batch_cpu(p.ch, real, 1, H.data(), Hh.data());
      r[1] = misalignment_cpu(H.data(), Hh.data(), N, (int)nr, nt, d.G.data(), p.n_streams);
      if (!(r[1] < INFINITY)) r[0] = INFINITY, r[1] = 0;
    }
    if (G_out)
      for (long e = 0; e < gsz; ++e) {
        const std::complex<double> g = d.ok ? d.G(e % nr, e / nr) : 0.0;
        r[2 + 2 * e] = g.real(), r[3 + 2 * e] = g.imag();
      }
  }, res.data());
  for (long i = 0; i < count; ++i) {
    const double* r = res.data() + i * per;
    alpha_out[i] = r[0];
    if (mis_out) mis_out[i] = r[1];
    if (G_out)
      for (long e = 0; e < gsz; ++e) G_out[i * gsz + e] = std::complex<double>(r[2 + 2 * e], r[3 + 2 * e]);
  }
}

void solve_alpha_batch(Backend b, const AlphaParams& p, Solver s, const SolverOptions& o, uint64_t first, long count,
                       double* alpha, double* misalignment) {
  if (count <= 0) return;
  if (s == Solver::sdr) return sdr_batch(p, o, first, count, alpha, misalignment, nullptr);
  alpha_batch(b, kernel_params(p, s, o), first, count, alpha, misalignment);
}

void solve_designs(const AlphaParams& p, Solver s, const SolverOptions& o, uint64_t first, long count, double* alpha,
                   double* misalignment, std::complex<double>* G) {
  if (count <= 0) return;
  if (s == Solver::sdr) return sdr_batch(p, o, first, count, alpha, misalignment, G);
  design_batch_cpu(kernel_params(p, s, o), first, count, alpha, misalignment, G);
}

void lower_bound_batch(const AlphaParams& p, uint64_t first, long count, double* out) {
  run_in_workers(count, 1, sdp_workers(), [&](long i, double* r) {
    const SdpSolution s = alpha_lower_bound(channel_set(p, first + (uint64_t)i, true));
    r[0] = s.ok ? s.value : INFINITY;
  }, out);
}

}  // namespace airtp
