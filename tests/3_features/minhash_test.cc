// MinHash: golden values pin the signature format; statistical tests with
// fixed seeds check the estimator against true Jaccard.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "storycluster/copies.h"  // EstimateJaccard: the kernel's agreement count
#include "storycluster/features.h"
#include "test_util.h"

namespace storycluster {
namespace {

std::unique_ptr<MinHasher> Hasher(uint32_t k = 128) {
  MinHashOptions options;
  options.num_hashes = k;
  auto h = MinHasher::Create(options);
  REQUIRE(h.ok());
  return std::move(h).value();
}

TEST_CASE("minhash: options are validated and recorded in the format") {
  MinHashOptions bad;
  bad.num_hashes = 0;
  CHECK_FALSE(MinHasher::Create(bad).ok());
  const SignatureFormat f = Hasher(64)->format();
  CHECK(f.version == kSignatureFormatVersion);
  CHECK(f.num_hashes == 64);
  CHECK(f.seed == kMinHashSeed);
}

TEST_CASE("minhash: golden values pin format version 1") {
  // If this fails, signatures changed: bump kSignatureFormatVersion and
  // update docs/signatures.md, then these values.
  std::vector<uint64_t> shingles;
  for (uint64_t i = 1; i <= 300; ++i)
    shingles.push_back(i * 0x9E3779B97F4A7C15ULL);
  const std::vector<uint32_t> sig = Hasher(16)->Sign(shingles);
  CHECK(sig ==
        std::vector<uint32_t>({25771902u, 20567988u, 22089484u, 171015182u,
                               383960036u, 33887357u, 170160401u, 64178602u,
                               149499228u, 174559574u, 389272660u, 35009640u,
                               12900509u, 414134386u, 255495764u, 17177430u}));
  // Densification path: fewer shingles than bins.
  const std::vector<uint32_t> small = Hasher(16)->Sign({42, 4242});
  CHECK(small == std::vector<uint32_t>(
                     {1192363969u, 1002945940u, 1192363969u, 1192363969u,
                      1192363969u, 1192363969u, 1192363969u, 1002945940u,
                      1002945940u, 1192363969u, 1192363969u, 1002945940u,
                      1192363969u, 1192363969u, 1002945940u, 1192363969u}));
}

TEST_CASE("minhash: identical sets agree fully, order and duplicates ignored") {
  auto h = Hasher();
  const std::vector<uint64_t> a = {5, 1, 9, 9, 3};
  const std::vector<uint64_t> b = {9, 3, 1, 5};
  CHECK(h->Sign(a) == h->Sign(b));
  CHECK(EstimateJaccard(h->Sign(a), h->Sign(b)) == 1.0);
  const auto empty = h->Sign({});
  CHECK(empty == std::vector<uint32_t>(128, kEmptySignatureValue));
}

TEST_CASE("minhash: estimates lie within 3 sigma of the true Jaccard") {
  std::mt19937_64 rng(20261121);
  const uint32_t k = 128;
  auto h = Hasher(k);
  const int kPairs = 300;
  for (double j : {0.1, 0.3, 0.5, 0.7, 0.9, 0.98}) {
    // |A ∪ B| = shared + 2 unique; J = shared / (shared + 2 unique).
    const int total = 600;
    const int shared = static_cast<int>(std::lround(j * total));
    const int unique = (total - shared) / 2;
    const double truth =
        static_cast<double>(shared) / static_cast<double>(shared + 2 * unique);
    const double sigma = std::sqrt(truth * (1 - truth) / k);
    int within = 0;
    double sum = 0;
    for (int p = 0; p < kPairs; ++p) {
      auto [a, b] = testing::RandomSetPair(rng, shared, unique);
      REQUIRE(ExactJaccard(
                  [&] {
                    std::sort(a.begin(), a.end());
                    return a;
                  }(),
                  [&] {
                    std::sort(b.begin(), b.end());
                    return b;
                  }()) == Approx(truth));
      const double estimate = EstimateJaccard(h->Sign(a), h->Sign(b));
      within += std::abs(estimate - truth) <= 3 * sigma;
      sum += estimate;
    }
    INFO("J=" << truth << " within 3 sigma: " << within << "/" << kPairs
              << " mean " << sum / kPairs);
    // 99.7% expected for a normal estimate; allow 98.5% for the binomial.
    CHECK(within >= kPairs * 985 / 1000);
    // Unbiased: the mean of 300 estimates within 3 sigma/sqrt(300).
    CHECK(std::abs(sum / kPairs - truth) <= 3 * sigma / std::sqrt(kPairs));
  }
}

TEST_CASE("minhash: small sets (densified) still estimate without bias") {
  std::mt19937_64 rng(7);
  const uint32_t k = 128;
  auto h = Hasher(k);
  const int kPairs = 400;
  // 40 shingles per set: most of the 128 bins are filled by densification.
  const int shared = 20, unique = 10;
  const double truth = 20.0 / 40.0;
  const double sigma = std::sqrt(truth * (1 - truth) / k);
  double sum = 0;
  for (int p = 0; p < kPairs; ++p) {
    auto [a, b] = testing::RandomSetPair(rng, shared, unique);
    sum += EstimateJaccard(h->Sign(a), h->Sign(b));
  }
  // Densified positions are correlated, so the spread is wider than
  // sigma; the mean must still be unbiased (within 4 sigma / sqrt(n)).
  CHECK(std::abs(sum / kPairs - truth) <= 4 * sigma / std::sqrt(kPairs) * 2);
}

}  // namespace
}  // namespace storycluster
