// Internal: a parallel loop over index ranges, on oneTBB. Work is cut into
// chunks of `grain` indices that idle threads steal, so uneven items
// balance; which thread runs a chunk does not affect any result as long as
// each chunk writes only its own outputs (every caller keeps to that, so
// output is identical for any thread count).
#ifndef STORYCLUSTER_LIB_COMMON_PARALLEL_H_
#define STORYCLUSTER_LIB_COMMON_PARALLEL_H_

#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

#include "absl/functional/function_ref.h"

namespace storycluster {

// Threads to use for a request of `threads` (0: all cores).
inline int ResolveThreads(int threads) {
  if (threads > 0) return threads;
  // Read once: glibc counts the cores from /sys on every call.
  static const unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : static_cast<int>(cores);
}

namespace internal {
// Calls chunk(c, worker) for every c in [0, chunks) on up to `workers`
// threads, the caller among them, each with its own worker number in
// [0, workers); returns when all have returned. `chunk` must not throw.
void RunChunks(size_t chunks, int workers,
               absl::FunctionRef<void(size_t, int)> chunk);
}  // namespace internal

// Calls fn(begin, end, worker) for consecutive chunks covering [0, n), on
// up to `threads` threads (worker in [0, threads), one chunk at a time per
// worker, so per-worker scratch indexed by it is never shared). Returns
// when every chunk is done. An exception thrown by `fn` is rethrown here
// (the first one; the other chunks still run). Loops inside loops and
// loops from several threads at once are fine: each runs in its own arena.
template <typename Fn>
void ParallelFor(size_t n, int threads, size_t grain, Fn&& fn) {
  grain = std::max<size_t>(grain, 1);
  const size_t chunks = (n + grain - 1) / grain;
  const int workers =
      static_cast<int>(std::min<size_t>(ResolveThreads(threads), chunks));
  if (workers <= 1) {
    if (n > 0) fn(size_t{0}, n, 0);
    return;
  }
  std::vector<std::exception_ptr> errors(workers);
  internal::RunChunks(chunks, workers, [&](size_t c, int worker) {
    try {
      fn(c * grain, std::min(n, (c + 1) * grain), worker);
    } catch (...) {
      if (!errors[worker]) errors[worker] = std::current_exception();
    }
  });
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

// Number of contiguous parts ParallelParts() cuts n items into: one per
// worker, at least one, at most n.
inline size_t PartCount(size_t n, int threads) {
  return std::max<size_t>(
      1, std::min<size_t>(static_cast<size_t>(ResolveThreads(threads)), n));
}

// Calls fn(part, begin, end) for the PartCount(n, threads) contiguous
// parts of [0, n), in parallel. For per-part results that are merged in
// part order afterwards (so they keep the items' order).
template <typename Fn>
void ParallelParts(size_t n, int threads, Fn&& fn) {
  const size_t parts = PartCount(n, threads);
  ParallelFor(parts, threads, 1, [&](size_t begin, size_t end, int) {
    for (size_t p = begin; p < end; ++p) {
      fn(p, p * n / parts, (p + 1) * n / parts);
    }
  });
}

}  // namespace storycluster

#endif  // STORYCLUSTER_LIB_COMMON_PARALLEL_H_
