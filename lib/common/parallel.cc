// ParallelFor's threads (parallel.h): oneTBB's work-stealing scheduler.
// Each loop runs in a task arena sized to its workers, one arena per
// calling thread, nesting depth and size, made on first use and kept: a
// thread waiting for an inner loop then steals only that loop's chunks,
// never another chunk of the outer loop (which would reuse its worker
// number, and so its scratch, while the first chunk is still running).
// Making an arena per loop instead cost ~0.7 ms a loop (kernel_bench
// parallel_for/loop), against ~1 µs for a kept one.
#include "lib/common/parallel.h"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/partitioner.h>
#include <oneapi/tbb/task_arena.h>
#include <pthread.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

namespace storycluster::internal {
namespace {

// oneTBB caps its threads at the number of cores. A caller that asks for
// more gets them, as it asked (its chunks may wait for one another): the
// cap is raised to the largest request so far, for the process's life.
void AllowWorkers(int workers) {
  static std::atomic<int> allowed{ResolveThreads(0)};  // oneTBB's own cap
  if (workers <= allowed.load(std::memory_order_acquire)) return;
  static std::mutex mu;
  static std::unique_ptr<oneapi::tbb::global_control> control;
  std::lock_guard<std::mutex> lock(mu);
  if (workers <= allowed.load()) return;
  // Of several live controls the smallest value holds: the new one
  // replaces the old.
  control.reset();
  control = std::make_unique<oneapi::tbb::global_control>(
      oneapi::tbb::global_control::max_allowed_parallelism,
      static_cast<size_t>(workers));
  allowed.store(workers, std::memory_order_release);
}

// A child made by fork() has none of its parent's threads, and oneTBB's
// state describes the parent's: the child runs its loops on threads of
// its own instead.
std::atomic<bool> forked_child{false};

void MarkChild() { forked_child.store(true); }

void RunOnOwnThreads(size_t chunks, int workers,
                     absl::FunctionRef<void(size_t, int)> chunk) {
  std::atomic<size_t> next{0};
  auto run = [&](int worker) {
    for (size_t c = next.fetch_add(1); c < chunks; c = next.fetch_add(1)) {
      chunk(c, worker);
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(workers - 1);
  for (int w = 1; w < workers; ++w) threads.emplace_back(run, w);
  run(0);
  for (std::thread& t : threads) t.join();
}

// Under the sanitizers the loops run on plain threads, joined at the end
// of each loop. ThreadSanitizer cannot see oneTBB's hand-offs (the library
// is not instrumented) and reports them as races, so what it checks is the
// callers' chunks. AddressSanitizer's allocator is not fork-safe: a child
// made while another thread held its lock waits forever at its first
// allocation (seen in the fork test: the child's thread waited on the
// allocator's lock, which one of oneTBB's idle workers, the parent's only
// other threads, most likely held); with no thread left between loops, a
// fork finds none holding it. Release builds use glibc's allocator, which is.
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr bool kPlainThreads = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
constexpr bool kPlainThreads = true;
#else
constexpr bool kPlainThreads = false;
#endif
#else
constexpr bool kPlainThreads = false;
#endif

}  // namespace

void RunChunks(size_t chunks, int workers,
               absl::FunctionRef<void(size_t, int)> chunk) {
  static std::once_flag registered;
  std::call_once(registered,
                 [] { pthread_atfork(nullptr, nullptr, MarkChild); });
  if (forked_child.load() || kPlainThreads) {
    return RunOnOwnThreads(chunks, workers, chunk);
  }
  AllowWorkers(workers);
  // The nesting depth of loops on this thread: 0 outside any chunk.
  thread_local int depth = 0;
  thread_local std::map<std::pair<int, int>,
                        std::unique_ptr<oneapi::tbb::task_arena>>
      arenas;
  std::unique_ptr<oneapi::tbb::task_arena>& arena = arenas[{depth, workers}];
  if (!arena) arena = std::make_unique<oneapi::tbb::task_arena>(workers);
  const int inner = depth + 1;
  arena->execute([&] {
    oneapi::tbb::parallel_for(
        oneapi::tbb::blocked_range<size_t>(0, chunks, 1),
        [&](const oneapi::tbb::blocked_range<size_t>& range) {
          const int worker =
              oneapi::tbb::this_task_arena::current_thread_index();
          const int outer = std::exchange(depth, inner);
          for (size_t c = range.begin(); c != range.end(); ++c) {
            chunk(c, worker);
          }
          depth = outer;
        },
        oneapi::tbb::simple_partitioner());
  });
}

}  // namespace storycluster::internal
