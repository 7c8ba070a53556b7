#include "host/solvers/solve.hpp"

#include <omp.h>

#include <cmath>
#include <vector>

#include "host/common/errors.hpp"
#include "host/common/fork_workers.hpp"

namespace airtp {

Solver parse_solver(const std::string& name) {
  if (name == "eigen") return Solver::eigen;
  if (name == "random") return Solver::random;
  if (name == "fast") return Solver::fast;
  if (name == "sdr") return Solver::sdr;
  throw InputError("--solver: unknown solver '" + name + "' (expected eigen, random, fast or sdr)");
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

void validate(const SolverOptions& o) {
  if (o.draws < 0) throw InputError("--draws: must be >= 0, got " + std::to_string(o.draws));
  if (o.fast_starts < 1) throw InputError("--fast-starts: must be >= 1, got " + std::to_string(o.fast_starts));
  if (o.fast_iters < 1) throw InputError("--fast-iters: must be >= 1, got " + std::to_string(o.fast_iters));
}

// The kernel design that implements a non-SDP solver, with the solver's options applied.
static AlphaParams kernel_params(const AlphaParams& p, Solver s, const SolverOptions& o) {
  AlphaParams q = p;
  q.design = s == Solver::random ? kDesignRandom : s == Solver::fast ? kDesignFast : kDesignEigen;
  q.fast.starts = o.fast_starts;
  q.fast.iters = o.fast_iters;
  return q;
}

ChannelSet channel_set(const AlphaParams& p, uint64_t real) {
  const int N = p.ch.n_dev, nr = p.ch.n_rx, nt = p.ch.n_tx;
  ChannelSet c;
  c.L = p.n_streams;
  std::vector<cplx> buf((size_t)nr * nt);
  for (int n = 0; n < N; ++n) {
    CMat H{buf.data(), nr, nt, 1};
    gen_channel(p.ch, real, n, H);
    Eigen::MatrixXcd M(nr, nt);
    for (int j = 0; j < nt; ++j)
      for (int i = 0; i < nr; ++i) M(i, j) = {H(i, j).re, H(i, j).im};
    c.H.push_back(std::move(M));
    c.E.push_back(p.slot_energy[n]);
  }
  return c;
}

// CSDP is not thread-safe (its solves are serialised within a process), so the SDPs of a batch
// are spread over worker processes, one per OpenMP thread; each solves its share serially.
static int sdp_workers() { return omp_in_parallel() ? 1 : omp_get_max_threads(); }

static void sdr_batch(const AlphaParams& p, const SolverOptions& o, uint64_t first, long count, double* alpha_out,
                      std::complex<double>* G_out) {
  const long gsz = (long)p.ch.n_rx * p.n_streams, per = 1 + (G_out ? 2 * gsz : 0);
  std::vector<double> res((size_t)(count * per));
  run_in_workers(count, per, sdp_workers(), [&](long i, double* r) {
    const SdrResult d = sdr_design(channel_set(p, first + (uint64_t)i), o.draws, p.design_key, first + (uint64_t)i);
    r[0] = d.ok ? d.alpha : INFINITY;
    if (G_out)
      for (long e = 0; e < gsz; ++e) {
        const std::complex<double> g = d.ok ? d.G(e % p.ch.n_rx, e / p.ch.n_rx) : 0.0;
        r[1 + 2 * e] = g.real(), r[2 + 2 * e] = g.imag();
      }
  }, res.data());
  for (long i = 0; i < count; ++i) {
    const double* r = res.data() + i * per;
    alpha_out[i] = r[0];
    if (G_out)
      for (long e = 0; e < gsz; ++e) G_out[i * gsz + e] = std::complex<double>(r[1 + 2 * e], r[2 + 2 * e]);
  }
}

void solve_alpha_batch(Backend b, const AlphaParams& p, Solver s, const SolverOptions& o, uint64_t first, long count,
                       double* alpha_out) {
  validate(o);
  if (count <= 0) return;
  if (s == Solver::sdr) return sdr_batch(p, o, first, count, alpha_out, nullptr);
  alpha_batch(b, kernel_params(p, s, o), first, count, alpha_out);
}

void solve_designs(const AlphaParams& p, Solver s, const SolverOptions& o, uint64_t first, long count,
                   double* alpha_out, std::complex<double>* G_out) {
  validate(o);
  if (count <= 0) return;
  if (s == Solver::sdr) return sdr_batch(p, o, first, count, alpha_out, G_out);
  const AlphaParams q = kernel_params(p, s, o);
  const long per = alpha_scratch_size(q), nr = p.ch.n_rx, L = p.n_streams;
#pragma omp parallel
  {
    std::vector<cplx> buf((size_t)per);
#pragma omp for schedule(dynamic, 16)
    for (long i = 0; i < count; ++i) {
      Scratch ws{buf.data(), 1};
      CMat H[kMaxDevices], G;
      const double a = alpha_realization(q, first + (uint64_t)i, ws, H, G);
      alpha_out[i] = a;
      for (long l = 0; l < L; ++l)
        for (long r = 0; r < nr; ++r)
          G_out[(i * L + l) * nr + r] = a < INFINITY ? std::complex<double>(G(r, l).re, G(r, l).im) : 0.0;
    }
  }
}

void lower_bound_batch(const AlphaParams& p, uint64_t first, long count, double* out) {
  run_in_workers(count, 1, sdp_workers(), [&](long i, double* r) {
    const SdpSolution s = alpha_lower_bound(channel_set(p, first + (uint64_t)i));
    r[0] = s.ok ? s.value : INFINITY;
  }, out);
}

}  // namespace airtp
