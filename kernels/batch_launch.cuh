// Runs a per-realization functor over a batch in chunks, through Thrust. Included by the CPU
// backend (g++, THRUST_DEVICE_SYSTEM_OMP) and the CUDA backend (nvcc): the same code, two
// systems. Each chunk owns `chunk` scratch slots of `per` complex elements.
#pragma once
#include <algorithm>
#include <thrust/device_vector.h>
#include <thrust/execution_policy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>
#include "kernels/common.cuh"

namespace airtp {

// Thrust lives in a per-backend wrapping namespace (THRUST_WRAPPED_NAMESPACE, set by
// CMake) so that the OpenMP and CUDA instantiations never collide at link time.
namespace th = THRUST_NS_QUALIFIER;

// Fn must have members ws, per, chunk, layout, first and out (a pointer into device
// memory that the launcher moves chunk by chunk); Out is the element type of out.
template <class Fn, class Out>
void launch_chunks(Fn f, long per, long max_chunk, int layout, uint64_t first, long count, Out* host_out) {
  long chunk = std::max(1L, std::min(count, max_chunk));
  // The warp layout gives every group of 32 realizations a whole block: round up so that
  // the last, partial warp's block exists too.
  if (layout == kLayoutWarp) chunk = (chunk + kWarpInterleave - 1) / kWarpInterleave * kWarpInterleave;
  th::device_vector<cplx> ws((size_t)(per * chunk));
  th::device_vector<Out> out((size_t)chunk);
  f.ws = th::raw_pointer_cast(ws.data());
  f.per = per;
  f.chunk = chunk;
  f.layout = layout;
  f.out = th::raw_pointer_cast(out.data());
  for (long c0 = 0; c0 < count; c0 += chunk) {
    const long n = std::min(chunk, count - c0);
    f.first = first + (uint64_t)c0;
    th::for_each_n(th::device, th::counting_iterator<long>(0), n, f);
    th::copy_n(out.begin(), n, host_out + c0);
  }
}

}  // namespace airtp
