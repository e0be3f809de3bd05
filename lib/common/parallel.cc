// The thread pool behind ParallelFor (see parallel.h). One job at a time:
// the caller publishes it as a new generation, the workers it needs run it
// and count down, the caller waits for zero.
//
// Waiting spins first, then sleeps: on the virtual machines this runs on,
// waking a sleeping thread took ~45 µs each way (a loop of 256 items on 2
// threads cost ~95 µs with sleeping workers, ~100-150 µs with new
// threads), while copy detection runs one loop per step of 256 articles.
// A worker spins for a while after its job (the next loop usually follows
// within microseconds) and then sleeps; so does the caller waiting for the
// workers.
#include "lib/common/parallel.h"

#include <pthread.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

namespace storycluster::internal {
namespace {

inline void Pause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Spins of Pause() before sleeping: a few tens of microseconds.
constexpr int kSpins = 2000;

class Pool {
 public:
  bool Run(int workers, absl::FunctionRef<void(int)> run) {
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (!busy.owns_lock()) return false;
    const uint64_t generation = (state_.load() >> kWorkerBits) + 1;
    {
      std::lock_guard<std::mutex> lock(mu_);
      while (static_cast<int>(threads_.size()) + 1 < workers) {
        const int index = static_cast<int>(threads_.size()) + 1;
        // It waits for a generation after the current one: this job's.
        threads_.emplace_back(
            [this, index, seen = generation - 1] { Loop(index, seen); });
        // More threads than cores: spinning would take a core from a
        // thread with work, so everyone sleeps at once.
        spin_.store(threads_.size() < std::thread::hardware_concurrency(),
                    std::memory_order_relaxed);
      }
      job_ = &run;
      pending_.store(workers - 1);
      // One word for the generation and its worker count, so a worker
      // never pairs one job's count with another's generation.
      state_.store(generation << kWorkerBits | static_cast<uint64_t>(workers),
                   std::memory_order_release);
      if (sleepers_ > 0) work_.notify_all();
    }
    run(0);
    const int spins = spin_.load(std::memory_order_relaxed) ? kSpins : 0;
    for (int i = 0; i < spins && pending_.load(std::memory_order_acquire) != 0;
         ++i) {
      Pause();
    }
    if (pending_.load(std::memory_order_acquire) != 0) {
      std::unique_lock<std::mutex> lock(mu_);
      done_.wait(lock, [this] { return pending_.load() == 0; });
    }
    return true;
  }

 private:
  static constexpr int kWorkerBits = 16;  // ParallelFor takes <= 1024
  static constexpr uint64_t kWorkerMask = (uint64_t{1} << kWorkerBits) - 1;

  [[noreturn]] void Loop(int index, uint64_t seen) {
    for (;;) {
      uint64_t state = state_.load(std::memory_order_acquire);
      const int spins = spin_.load(std::memory_order_relaxed) ? kSpins : 0;
      for (int i = 0; i < spins && (state >> kWorkerBits) == seen; ++i) {
        Pause();
        state = state_.load(std::memory_order_acquire);
      }
      if ((state >> kWorkerBits) == seen) {
        std::unique_lock<std::mutex> lock(mu_);
        ++sleepers_;
        work_.wait(lock,
                   [&] { return (state_.load() >> kWorkerBits) != seen; });
        --sleepers_;
        state = state_.load(std::memory_order_acquire);
      }
      seen = state >> kWorkerBits;
      if (index >= static_cast<int>(state & kWorkerMask)) continue;
      (*job_)(index);
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        // The caller checks pending_ under the mutex before it sleeps.
        std::lock_guard<std::mutex> lock(mu_);
        done_.notify_one();
      }
    }
  }

  std::mutex busy_;  // held by the caller whose job runs
  std::mutex mu_;    // for sleeping and waking, and threads_
  std::condition_variable work_, done_;
  std::vector<std::thread> threads_;  // worker i + 1 is threads_[i]
  int sleepers_ = 0;                  // workers waiting on work_ (mu_)
  std::atomic<bool> spin_{true};      // threads <= cores
  // Written before the release store of state_, read by the job's workers
  // after they load it; rewritten only once they all counted down.
  const absl::FunctionRef<void(int)>* job_ = nullptr;
  std::atomic<int> pending_{0};  // workers still running the job
  std::atomic<uint64_t> state_{uint64_t{1} << kWorkerBits};  // generation 1
};

// The process's pool. Never destroyed: its threads wait for work until the
// process ends. A child made by fork() has none of its parent's threads,
// so it drops the parent's pool (its state describes threads that are not
// there, its mutexes may be held) and starts a fresh one on first use.
std::atomic<Pool*> the_pool{nullptr};

void ForgetPoolInChild() { the_pool.store(nullptr); }

Pool* GetPool() {
  static std::once_flag registered;
  std::call_once(registered,
                 [] { pthread_atfork(nullptr, nullptr, ForgetPoolInChild); });
  Pool* pool = the_pool.load(std::memory_order_acquire);
  if (pool != nullptr) return pool;
  // No lock (a child could inherit it held): the first to publish wins, a
  // loser's pool has started no thread yet and is deleted.
  auto fresh = std::make_unique<Pool>();
  if (the_pool.compare_exchange_strong(pool, fresh.get(),
                                       std::memory_order_acq_rel)) {
    return fresh.release();
  }
  return pool;
}

}  // namespace

bool RunOnPool(int workers, absl::FunctionRef<void(int)> run) {
  return GetPool()->Run(workers, run);
}

}  // namespace storycluster::internal
