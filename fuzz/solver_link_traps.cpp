// Link-time stand-ins for the numeric back end that host/solvers/solve.cpp references, so the
// config fuzzer can link solve.cpp (for parse_solver, which validate() calls) without the
// whole kernel and SDP stack. Reading a config never computes anything: reaching one of
// these is itself a bug, so each traps.
#include "host/solvers/sdr.hpp"
#include "kernels/backend.hpp"

namespace airtp {
void alpha_batch(Backend, const AlphaParams&, uint64_t, long, double*) { __builtin_trap(); }
SdpSolution alpha_lower_bound(const ChannelSet&) { __builtin_trap(); }
SdrResult sdr_design(const ChannelSet&, int, const RngKey&, uint64_t) { __builtin_trap(); }
}  // namespace airtp
