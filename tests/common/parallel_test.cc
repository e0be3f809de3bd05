// ParallelFor: every index exactly once, over many calls in a row (the
// kept arenas), with loops inside loops and two callers at once, more
// threads than cores, exceptions, and a child process made by fork().
#include "lib/common/parallel.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <stdexcept>
#include <thread>

namespace storycluster {
namespace {

// Runs ParallelFor over n indices and checks each was visited once and
// that the worker numbers stayed in range.
void CheckCoverage(size_t n, int threads, size_t grain) {
  std::vector<std::atomic<int>> visits(n);
  std::atomic<bool> worker_in_range{true};
  const int resolved = ResolveThreads(threads);
  ParallelFor(n, threads, grain, [&](size_t begin, size_t end, int worker) {
    if (worker < 0 || worker >= resolved) worker_in_range = false;
    for (size_t i = begin; i < end; ++i) ++visits[i];
  });
  size_t wrong = 0;
  for (const auto& v : visits) wrong += v.load() != 1;
  CHECK(wrong == 0);
  CHECK(worker_in_range.load());
}

TEST_CASE("parallel: every index once, over many calls in a row") {
  for (int threads : {1, 2, 3, 8}) {
    INFO("threads " << threads);
    for (int call = 0; call < 500; ++call) {
      CheckCoverage(static_cast<size_t>(call % 37) * 7, threads, 1 + call % 5);
    }
  }
}

TEST_CASE("parallel: a thread count of 0 or less means all cores") {
  const unsigned cores = std::thread::hardware_concurrency();
  const int all = cores == 0 ? 1 : static_cast<int>(cores);
  for (int threads : {0, -1, -64}) CHECK(ResolveThreads(threads) == all);
  for (int threads : {1, 3, 1024}) CHECK(ResolveThreads(threads) == threads);
  // A negative count still covers every index once.
  CheckCoverage(1000, -1, 7);
}

TEST_CASE("parallel: all requested workers take part when work waits") {
  // Each chunk waits until every worker has started one, so the loop ends
  // only if all four workers ran at once (more than this machine's cores).
  for (int round = 0; round < 20; ++round) {
    std::atomic<int> started{0};
    std::vector<std::atomic<int>> seen(4);
    ParallelFor(4, 4, 1, [&](size_t, size_t, int worker) {
      ++seen[worker];
      ++started;
      while (started.load() < 4) std::this_thread::yield();
    });
    for (const auto& s : seen) CHECK(s.load() == 1);
  }
}

TEST_CASE("parallel: a loop inside a loop and two callers at once") {
  std::atomic<long> sum{0};
  ParallelFor(8, 2, 1, [&](size_t begin, size_t end, int) {
    for (size_t i = begin; i < end; ++i) {
      ParallelFor(100, 2, 7, [&](size_t b, size_t e, int) {
        for (size_t j = b; j < e; ++j) sum += static_cast<long>(i * 100 + j);
      });
    }
  });
  CHECK(sum.load() == 799 * 800 / 2);

  std::atomic<long> a{0}, b{0};
  std::thread other([&] {
    for (int r = 0; r < 200; ++r) {
      ParallelFor(64, 2, 4, [&](size_t lo, size_t hi, int) {
        a += static_cast<long>(hi - lo);
      });
    }
  });
  for (int r = 0; r < 200; ++r) {
    ParallelFor(64, 2, 4, [&](size_t lo, size_t hi, int) {
      b += static_cast<long>(hi - lo);
    });
  }
  other.join();
  CHECK(a.load() == 200 * 64);
  CHECK(b.load() == 200 * 64);
}

TEST_CASE("parallel: an exception reaches the caller, later loops still work") {
  CHECK_THROWS_AS(ParallelFor(100, 2, 1,
                              [&](size_t begin, size_t, int) {
                                if (begin == 57) {
                                  throw std::runtime_error("chunk 57");
                                }
                              }),
                  std::runtime_error);
  CheckCoverage(1000, 2, 3);
}

TEST_CASE("parallel: a forked child runs its loops on threads of its own") {
  // The parent's threads are not in the child. Its loop
  // must still finish (a hang is cut short by the alarm) and be right.
  CheckCoverage(1000, 2, 7);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    alarm(20);
    std::atomic<size_t> sum{0};
    for (int r = 0; r < 50; ++r) {
      ParallelFor(1000, 2, 7,
                  [&](size_t begin, size_t end, int) { sum += end - begin; });
    }
    _exit(sum.load() == 50 * 1000 ? 0 : 1);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CheckCoverage(1000, 2, 7);  // and the parent's loops still work
}

}  // namespace
}  // namespace storycluster
