// SDR + Gaussian randomization through CSDP (see sdr.hpp).
//
// CSDP solves real problems  max tr(C Y) s.t. tr(A_i Y) = a_i, Y >= 0 (block diagonal).
// A complex Hermitian X (n x n) enters through its real embedding
//   Y = [[Re X, -Im X], [Im X, Re X]]  (2n x 2n), with tr(Y) = 2 tr(X), and
//   H^H X H >= c I  <=>  He^T Y He >= c I_{2 n_t},  He = [[Re H, -Im H], [Im H, Re H]].
// We do not force Y to have the embedding's structure: both SDPs are invariant under
// Y -> J Y J^T with J = [[0, -I], [I, 0]], so averaging any optimal Y with its image keeps it
// feasible and optimal, and the averaged Y is an embedding; we read X off that average.
// Matrix inequalities become equalities with positive semidefinite slack blocks.
#include "host/solvers/sdr.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <mutex>

extern "C" {
#include <csdp/declarations.h>
}

#include "kernels/backend.hpp"

namespace airtp {

namespace {

// CSDP prints its iterations with printf and offers no quiet switch through easy_sdp, so
// stdout (fd 1) is pointed at /dev/null while any solve runs. Reference-counted so that
// concurrent solves on several threads share one redirection.
class QuietStdout {
 public:
  QuietStdout() {
    std::lock_guard<std::mutex> g(mu());
    if (count()++ == 0) {
      std::fflush(stdout);
      saved() = dup(1);
      const int dn = open("/dev/null", O_WRONLY);
      if (dn >= 0) {
        dup2(dn, 1);
        close(dn);
      }
    }
  }
  ~QuietStdout() {
    std::lock_guard<std::mutex> g(mu());
    if (--count() == 0) {
      std::fflush(stdout);
      if (saved() >= 0) {
        dup2(saved(), 1);
        close(saved());
        saved() = -1;
      }
    }
  }
  QuietStdout(const QuietStdout&) = delete;
  QuietStdout& operator=(const QuietStdout&) = delete;

 private:
  static std::mutex& mu() { static std::mutex m; return m; }
  static int& count() { static int c = 0; return c; }
  static int& saved() { static int s = -1; return s; }
};

// A problem in CSDP's form, 0-based, before conversion to CSDP's 1-based structures.
struct Problem {
  struct Entry { int i, j; double v; };  // i <= j, symmetric meaning
  struct Block { int size; bool diag; };
  std::vector<Block> blocks;
  std::vector<std::vector<double>> C;  // per block: dense column-major (matrix) or diagonal
  // constraint k: per block, its entries (empty: block absent)
  std::vector<std::vector<std::vector<Entry>>> A;
  std::vector<double> a;
};

// Solves the problem; Y0 receives block 0 (dense column-major). Returns easy_sdp's status.
int run_csdp(const Problem& P, std::vector<double>& Y0, double& pobj) {
  const int nb = (int)P.blocks.size(), k = (int)P.a.size();
  int n = 0;
  for (const auto& b : P.blocks) n += b.size;
  blockmatrix C;
  C.nblocks = nb;
  C.blocks = (blockrec*)malloc((nb + 1) * sizeof(blockrec));
  for (int b = 0; b < nb; ++b) {
    const int s = P.blocks[b].size;
    blockrec& br = C.blocks[b + 1];
    br.blocksize = s;
    if (P.blocks[b].diag) {
      br.blockcategory = DIAG;
      br.data.vec = (double*)malloc((s + 1) * sizeof(double));
      for (int i = 0; i < s; ++i) br.data.vec[i + 1] = P.C[b][i];
    } else {
      br.blockcategory = MATRIX;
      br.data.mat = (double*)malloc((size_t)s * s * sizeof(double));
      for (int i = 0; i < s * s; ++i) br.data.mat[i] = P.C[b][i];
    }
  }
  double* a = (double*)malloc((k + 1) * sizeof(double));
  for (int i = 0; i < k; ++i) a[i + 1] = P.a[i];
  constraintmatrix* cons = (constraintmatrix*)malloc((k + 1) * sizeof(constraintmatrix));
  for (int c = 0; c < k; ++c) {
    cons[c + 1].blocks = nullptr;
    // Prepend in reverse block order so that the list runs in increasing block number.
    for (int b = nb - 1; b >= 0; --b) {
      const auto& ent = P.A[c][b];
      if (ent.empty()) continue;
      sparseblock* sb = (sparseblock*)malloc(sizeof(sparseblock));
      const int m = (int)ent.size();
      sb->blocknum = b + 1;
      sb->blocksize = P.blocks[b].size;
      sb->constraintnum = c + 1;
      sb->next = cons[c + 1].blocks;
      sb->nextbyblock = nullptr;
      sb->numentries = m;
      sb->entries = (double*)malloc((m + 1) * sizeof(double));
      sb->iindices = (int*)malloc((m + 1) * sizeof(int));
      sb->jindices = (int*)malloc((m + 1) * sizeof(int));
      for (int e = 0; e < m; ++e) {
        sb->iindices[e + 1] = ent[e].i + 1;
        sb->jindices[e + 1] = ent[e].j + 1;
        sb->entries[e + 1] = ent[e].v;
      }
      cons[c + 1].blocks = sb;
    }
  }
  blockmatrix X, Z;
  double* y = nullptr;
  double dobj = 0;
  int status;
  {
    // CSDP keeps internal state that is not safe to share between threads (concurrent solves
    // crash inside op_o), so solves are serialised; the randomization stays parallel.
    static std::mutex csdp_mutex;
    std::lock_guard<std::mutex> lock(csdp_mutex);
    QuietStdout quiet;
    initsoln(n, k, C, a, cons, &X, &y, &Z);  // easy_sdp starts from a caller-made point
    status = easy_sdp(n, k, C, a, cons, 0.0, &X, &y, &Z, &pobj, &dobj);
  }
  const int s0 = P.blocks[0].size;
  Y0.assign((size_t)s0 * s0, 0.0);
  for (int i = 0; i < s0 * s0; ++i) Y0[i] = X.blocks[1].data.mat[i];
  free_prob(n, k, C, a, cons, X, y, Z);
  return status;
}

// Orthonormal basis U (n_rx x r) of the span of all channel columns: both SDPs have an optimal
// X = U Z U^H (projecting X onto that span lowers tr(X) and leaves every H_n^H X H_n
// unchanged), so solving for Z shrinks the problem when N n_t < n_rx.
Eigen::MatrixXcd channel_basis(const ChannelSet& c) {
  const int nr = (int)c.H[0].rows();
  Eigen::MatrixXcd Q = Eigen::MatrixXcd::Zero(nr, nr);
  for (const auto& H : c.H) Q += H * H.adjoint();
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd> es(Q);
  const double lmax = es.eigenvalues().maxCoeff();
  int r = 0;
  for (int i = 0; i < nr; ++i) r += es.eigenvalues()(i) > 1e-10 * lmax ? 1 : 0;
  return es.eigenvectors().rightCols(r);
}

// Real embedding of a complex matrix.
Eigen::MatrixXd embed(const Eigen::MatrixXcd& H) {
  const int r = (int)H.rows(), c = (int)H.cols();
  Eigen::MatrixXd E(2 * r, 2 * c);
  E << H.real(), -H.imag(), H.imag(), H.real();
  return E;
}

// X from the CSDP block Y (2r x 2r) after the symmetrising average described at the top.
Eigen::MatrixXcd unembed(const std::vector<double>& Y0, int r) {
  Eigen::Map<const Eigen::MatrixXd> Y(Y0.data(), 2 * r, 2 * r);
  const Eigen::MatrixXd re = 0.5 * (Y.topLeftCorner(r, r) + Y.bottomRightCorner(r, r));
  const Eigen::MatrixXd im = 0.5 * (Y.bottomLeftCorner(r, r) - Y.topRightCorner(r, r));
  Eigen::MatrixXcd X(r, r);
  X.real() = re;
  X.imag() = im;
  return 0.5 * (X + X.adjoint());
}

// Upper-triangle entries of a dense symmetric matrix (CSDP reads them symmetrically).
std::vector<Problem::Entry> upper_entries(const Eigen::MatrixXd& A) {
  std::vector<Problem::Entry> e;
  for (int j = 0; j < A.cols(); ++j)
    for (int i = 0; i <= j; ++i)
      if (A(i, j) != 0) e.push_back({i, j, A(i, j)});
  return e;
}

// The symmetric matrix A with tr(A M) = sum_t w_t (u_t^T M v_t) for symmetric M.
void add_sym_outer(Eigen::MatrixXd& A, double w, const Eigen::VectorXd& u, const Eigen::VectorXd& v) {
  A += 0.5 * w * (u * v.transpose() + v * u.transpose());
}

bool finite_data(const ChannelSet& c) {
  if (c.H.empty() || c.E.size() != c.H.size() || c.L < 1) return false;
  for (size_t n = 0; n < c.H.size(); ++n)
    if (!c.H[n].allFinite() || !(c.E[n] > 0) || !std::isfinite(c.E[n])) return false;
  return true;
}

// Shared driver. `full` = the paper's SDP (matrix constraints), otherwise the trace bound.
SdpSolution solve_sdp(const ChannelSet& c, bool full) {
  SdpSolution out;
  if (!finite_data(c)) return out;
  const int N = (int)c.H.size(), nt = (int)c.H[0].cols();
  const Eigen::MatrixXcd U = channel_basis(c);
  const int r = (int)U.cols();
  if (r == 0) return out;
  // Scale the data to order one (CSDP's tolerances are absolute in places), undo at the end:
  // with H' = H / hs and b' = b / bs, X = X' bs / hs^2.
  double h2 = 0, bs = 0;
  for (int n = 0; n < N; ++n) h2 = std::max(h2, c.H[n].squaredNorm() / nt);
  if (!(h2 > 0)) return out;
  const double hs = std::sqrt(h2);
  std::vector<double> rhs(N);
  for (int n = 0; n < N; ++n) {
    rhs[n] = full ? c.L / c.E[n] : double(c.L) * c.L / c.E[n];
    bs = std::max(bs, rhs[n]);
  }
  Problem P;
  P.blocks.push_back({2 * r, false});
  P.C.push_back(std::vector<double>((size_t)4 * r * r, 0.0));
  for (int i = 0; i < 2 * r; ++i) P.C[0][(size_t)i * 2 * r + i] = -0.5;  // max -tr(Y)/2
  if (full) {
    for (int n = 0; n < N; ++n) {
      P.blocks.push_back({2 * nt, false});
      P.C.push_back(std::vector<double>((size_t)4 * nt * nt, 0.0));
    }
  } else {
    P.blocks.push_back({N, true});
    P.C.push_back(std::vector<double>(N, 0.0));
  }
  const int nb = (int)P.blocks.size();
  for (int n = 0; n < N; ++n) {
    const Eigen::MatrixXd He = embed(U.adjoint() * c.H[n] / hs);  // 2r x 2nt
    const double b = rhs[n] / bs;
    if (full) {
      // Complex equality H^H X H - S_n = b I, read from the real blocks by the averaging
      // that maps any Y onto an embedding (invariant under Y -> J Y J^T):
      //   Re W_pq = (W[p,q] + W[p+nt,q+nt]) / 2,  Im W_pq = (W[p+nt,q] - W[p,q+nt]) / 2,
      // with W = He^T Y He for X and W = S for the slack. Re for p <= q, Im for p < q:
      // n_t^2 real equations per device instead of the (2 n_t)(2 n_t + 1)/2 of the full
      // real block, which matters because CSDP's cost grows with the square of their count.
      const Eigen::MatrixXd I2 = Eigen::MatrixXd::Identity(2 * nt, 2 * nt);
      for (int q = 0; q < nt; ++q)
        for (int p = 0; p <= q; ++p)
          for (int part = 0; part < (p == q ? 1 : 2); ++part) {
            // (a1, b1) and (a2, b2): the two real-block positions, with weights w1, w2.
            const int a1 = part == 0 ? p : p + nt, b1 = q;
            const int a2 = part == 0 ? p + nt : p, b2 = part == 0 ? q + nt : q + nt;
            const double w1 = 0.5, w2 = part == 0 ? 0.5 : -0.5;
            Eigen::MatrixXd AY = Eigen::MatrixXd::Zero(2 * r, 2 * r);
            add_sym_outer(AY, w1, He.col(a1), He.col(b1));
            add_sym_outer(AY, w2, He.col(a2), He.col(b2));
            Eigen::MatrixXd AS = Eigen::MatrixXd::Zero(2 * nt, 2 * nt);
            add_sym_outer(AS, -w1, I2.col(a1), I2.col(b1));
            add_sym_outer(AS, -w2, I2.col(a2), I2.col(b2));
            std::vector<std::vector<Problem::Entry>> A(nb);
            A[0] = upper_entries(AY);
            A[1 + n] = upper_entries(AS);
            P.A.push_back(std::move(A));
            P.a.push_back(part == 0 && p == q ? b : 0.0);
          }
    } else {
      // tr(He^T Y He) / 2 - s_n = b: the embedding doubles the trace.
      std::vector<std::vector<Problem::Entry>> A(nb);
      const Eigen::MatrixXd Qe = 0.5 * He * He.transpose();
      for (int j = 0; j < 2 * r; ++j)
        for (int i = 0; i <= j; ++i)
          if (Qe(i, j) != 0) A[0].push_back({i, j, Qe(i, j)});
      A[1].push_back({n, n, -1.0});
      P.A.push_back(std::move(A));
      P.a.push_back(b);
    }
  }
  std::vector<double> Y0;
  double pobj = 0;
  out.csdp_status = run_csdp(P, Y0, pobj);
  if (out.csdp_status != 0 && out.csdp_status != 3) return out;
  const Eigen::MatrixXcd Z = unembed(Y0, r) * (bs / h2);
  if (!Z.allFinite()) return out;
  out.X = U * Z * U.adjoint();
  out.value = out.X.trace().real();
  out.ok = std::isfinite(out.value) && out.value > 0;
  return out;
}

}  // namespace

SdpSolution sdr_relaxation(const ChannelSet& c) { return solve_sdp(c, true); }
SdpSolution alpha_lower_bound(const ChannelSet& c) { return solve_sdp(c, false); }

double exact_alpha(const ChannelSet& c, const Eigen::MatrixXcd& G) {
  const int N = (int)c.H.size(), nr = (int)G.rows(), L = (int)G.cols(), nt = (int)c.H[0].cols();
  const double g = G.norm();
  if (!(g > 0) || !std::isfinite(g)) return INFINITY;
  // The kernels' alpha on column-major copies (Eigen's default layout is column-major too).
  std::vector<std::complex<double>> H((size_t)N * nr * nt);
  for (int n = 0; n < N; ++n) std::copy(c.H[n].data(), c.H[n].data() + (size_t)nr * nt, H.begin() + (long)n * nr * nt);
  const Eigen::MatrixXcd Gn = G / g;
  return exact_alpha_cpu(H.data(), N, nr, nt, c.E.data(), Gn.data(), L);
}

SdrResult sdr_design(const ChannelSet& c, int draws, const RngKey& key, uint64_t real) {
  SdrResult res;
  res.alpha = INFINITY;
  if (!finite_data(c) || (int)c.H.size() > kMaxDevices || c.L > kMaxStreams) return res;
  const SdpSolution s = sdr_relaxation(c);
  res.csdp_status = s.csdp_status;
  if (!s.ok) return res;
  res.sdp_value = s.value;
  const int nr = (int)s.X.rows(), L = c.L;
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd> es(s.X);
  const Eigen::VectorXd lam = es.eigenvalues().cwiseMax(0.0);
  // Candidate 0: the top-L eigenvectors of X* (equal weights; alpha depends on span and scale).
  Eigen::MatrixXcd best = es.eigenvectors().rightCols(L);
  double best_alpha = exact_alpha(c, best);
  // Random candidates G = X*^{1/2} Z, Z i.i.d. CN(0,1): each column ~ CN(0, X*). Draw indices
  // start at 2^48, clear of the random design's and the fast solver's ranges.
  const Eigen::MatrixXcd root = es.eigenvectors() * lam.cwiseSqrt().asDiagonal();
  Eigen::MatrixXcd Z(nr, L);
  const uint64_t base = (uint64_t)1 << 48;
  for (int d = 0; d < draws; ++d) {
    // Column-major Z: draw (d L + l) nr + i is Z(i, l).
    cnormal_batch(key, real, base + (uint64_t)d * L * nr, (long)L * nr, Z.data());
    const Eigen::MatrixXcd G = root * Z;
    const double a = exact_alpha(c, G);
    if (a < best_alpha) {
      best_alpha = a;
      best = G;
    }
  }
  if (!(best_alpha < INFINITY)) return res;
  res.ok = true;
  res.alpha = best_alpha;
  res.G = best / best.norm();
  return res;
}

}  // namespace airtp
