// LSH: parameter choice, validation, and candidate recall against the
// S-curve's prediction on real MinHash signatures (fixed seeds).
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "storycluster/copies.h"
#include "storycluster/features.h"
#include "test_util.h"

namespace storycluster {
namespace {

TEST_CASE("lsh: ForThreshold fits the budget and centres the S-curve") {
  for (double t : {0.3, 0.5, 0.8}) {
    const LshOptions o = LshOptions::ForThreshold(t, 128);
    INFO("t=" << t << " " << o.bands << "x" << o.rows);
    CHECK(o.bands * o.rows <= 128);
    // The curve rises through the threshold: low well below, high above.
    CHECK(o.CandidateProbability(t - 0.2) < 0.35);
    CHECK(o.CandidateProbability(std::min(t + 0.2, 1.0)) > 0.9);
    CHECK(o.CandidateProbability(0.0) == 0.0);
    CHECK(o.CandidateProbability(1.0) == 1.0);
  }
  // Weighting false negatives more moves the curve left (more recall).
  const LshOptions recall = LshOptions::ForThreshold(0.7, 128, 0.2, 0.8);
  const LshOptions balanced = LshOptions::ForThreshold(0.7, 128);
  CHECK(recall.CandidateProbability(0.7) > balanced.CandidateProbability(0.7));
}

// The definition ForThreshold implements, written out directly: every
// bands x rows in order, each integral by the midpoint rule over 1000
// steps; the first minimum wins.
LshOptions DirectSearch(double t, uint32_t k, double fp_w, double fn_w) {
  auto integrate = [](auto f, double a, double b) {
    const double h = (b - a) / 1000;
    double sum = 0;
    for (int i = 0; i < 1000; ++i) sum += f(a + (i + 0.5) * h);
    return sum * h;
  };
  LshOptions best;
  double best_error = INFINITY;
  for (uint32_t bands = 1; bands <= k; ++bands) {
    for (uint32_t rows = 1; rows <= k / bands; ++rows) {
      auto p = [&](double s) {
        return 1.0 - std::pow(1.0 - std::pow(s, rows), bands);
      };
      const double error =
          fp_w * integrate(p, 0.0, t) +
          fn_w * integrate([&](double s) { return 1.0 - p(s); }, t, 1.0);
      if (error < best_error) {
        best_error = error;
        best.bands = bands;
        best.rows = rows;
      }
    }
  }
  return best;
}

TEST_CASE("lsh: ForThreshold gives the direct search's choice, memoised") {
  for (uint32_t k : {16u, 128u}) {
    for (double t : {0.2, 0.5, 0.72, 0.9}) {
      for (auto [fp_w, fn_w] : {std::pair(0.5, 0.5), std::pair(0.2, 0.8)}) {
        INFO("k=" << k << " t=" << t << " weights " << fp_w << "/" << fn_w);
        const LshOptions want = DirectSearch(t, k, fp_w, fn_w);
        for (int call = 0; call < 2; ++call) {  // computed, then remembered
          const LshOptions got = LshOptions::ForThreshold(t, k, fp_w, fn_w);
          CHECK(got.bands == want.bands);
          CHECK(got.rows == want.rows);
        }
      }
    }
  }
}

TEST_CASE("lsh: invalid shapes are refused") {
  LshOptions o;
  o.bands = 20;
  o.rows = 7;
  CHECK_FALSE(LshIndex::Create(o, 128).ok());
  o.bands = 0;
  CHECK_FALSE(LshIndex::Create(o, 128).ok());
}

TEST_CASE("lsh: max_per_bucket lists only the latest documents of a bucket") {
  LshOptions o;
  o.bands = 4;
  o.rows = 2;
  std::vector<uint32_t> shared(8, 7u);  // every band key equal
  std::vector<uint32_t> other = shared;
  other[0] = 9;  // band 0 differs, bands 1-3 equal
  std::vector<uint32_t> candidates;
  for (uint32_t limit : {0u, 1u, 3u, 10u}) {
    o.max_per_bucket = limit;
    auto index = LshIndex::Create(o, 8);
    REQUIRE(index.ok());
    for (uint32_t id = 0; id < 6; ++id) (*index)->Insert(id, shared);
    (*index)->Insert(6, other);
    (*index)->Query(shared, &candidates);
    INFO("limit " << limit);
    if (limit == 0 || limit >= 7) {
      CHECK(candidates == std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6});
    } else if (limit == 1) {
      // Band 0: document 5 is the latest with that key; bands 1-3: 6.
      CHECK(candidates == std::vector<uint32_t>{5, 6});
    } else {
      CHECK(candidates == std::vector<uint32_t>{3, 4, 5, 6});
    }
  }
}

TEST_CASE("lsh: candidate recall is at or above the S-curve minus 3 sigma") {
  std::mt19937_64 rng(4242);
  auto hasher = MinHasher::Create();
  REQUIRE(hasher.ok());
  const LshOptions options = LshOptions::ForThreshold(0.5, 128);
  for (double j : {0.3, 0.5, 0.7, 0.9}) {
    auto index = LshIndex::Create(options, 128);
    REQUIRE(index.ok());
    const int kPairs = 400, total = 300;
    const int shared = static_cast<int>(std::lround(j * total));
    const int unique = (total - shared) / 2;
    const double truth =
        static_cast<double>(shared) / static_cast<double>(shared + 2 * unique);
    std::vector<std::vector<uint32_t>> queries;
    for (int p = 0; p < kPairs; ++p) {
      auto [a, b] = testing::RandomSetPair(rng, shared, unique);
      (*index)->Insert(static_cast<uint32_t>(p), (*hasher)->Sign(a));
      queries.push_back((*hasher)->Sign(b));
    }
    int found = 0;
    std::vector<uint32_t> candidates;
    for (int p = 0; p < kPairs; ++p) {
      (*index)->Query(queries[p], &candidates);
      found += std::binary_search(candidates.begin(), candidates.end(),
                                  static_cast<uint32_t>(p));
    }
    const double predicted = options.CandidateProbability(truth);
    const double margin =
        3 * std::sqrt(predicted * (1 - predicted) / kPairs) + 0.01;
    INFO("J=" << truth << " recall " << found << "/" << kPairs << " predicted "
              << predicted);
    CHECK(static_cast<double>(found) / kPairs >= predicted - margin);
  }
}

}  // namespace
}  // namespace storycluster
