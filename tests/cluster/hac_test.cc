// Sparse average linkage: thresholds, the cohesion rule, the time span.
#include "lib/cluster/hac.h"

#include <catch2/catch.hpp>

namespace storycluster {
namespace {

TEST_CASE("hac: average linkage merges tight pairs, not weak bridges") {
  // 0-1 and 2-3 are tight; a single weak edge 1-2 bridges them.
  const std::vector<SimilarityEdge> edges = {
      {0, 1, 0.9}, {2, 3, 0.8}, {1, 2, 0.5}};
  const auto root = AverageLinkage(5, edges, 0.3);
  CHECK(root[0] == root[1]);
  CHECK(root[2] == root[3]);
  // Linkage between {0,1} and {2,3} is 0.5 / 4 = 0.125 < 0.3.
  CHECK(root[0] != root[2]);
  CHECK(root[4] == 4);  // no edges: alone
  // A lower threshold lets the bridge through.
  const auto low = AverageLinkage(5, edges, 0.1);
  CHECK(low[0] == low[3]);
}

TEST_CASE("hac: the cohesion rule keeps two tight groups apart") {
  // Two tight triangles (0.9 inside) joined by cross edges of 0.6 each:
  // linkage 0.6 clears the threshold but is under 0.75 x cohesion 0.9.
  std::vector<SimilarityEdge> edges = {{0, 1, 0.9}, {0, 2, 0.9}, {1, 2, 0.9},
                                       {3, 4, 0.9}, {3, 5, 0.9}, {4, 5, 0.9}};
  for (uint32_t a = 0; a < 3; ++a) {
    for (uint32_t b = 3; b < 6; ++b) edges.push_back({a, b, 0.6});
  }
  const auto plain = AverageLinkage(6, edges, 0.3);
  CHECK(plain[0] == plain[5]);
  const auto cohesive = AverageLinkage(6, edges, 0.3, 0.75);
  CHECK(cohesive[0] == cohesive[2]);
  CHECK(cohesive[3] == cohesive[5]);
  CHECK(cohesive[0] != cohesive[3]);
}

TEST_CASE("hac: undated nodes cannot stretch a cluster past the span") {
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);
  const std::vector<std::optional<absl::Time>> times = {
      t0, std::nullopt, t0 + absl::Hours(24 * 90)};
  const std::vector<SimilarityEdge> edges = {
      {0, 1, 0.9}, {1, 2, 0.9}, {0, 2, 0.9}};
  const auto free = AverageLinkage(3, edges, 0.3);
  CHECK(free[0] == free[2]);
  const auto spanned =
      AverageLinkage(3, edges, 0.3, 0, &times, absl::Hours(24 * 14));
  CHECK(spanned[0] != spanned[2]);
  CHECK((spanned[1] == spanned[0] || spanned[1] == spanned[2]));
}

}  // namespace
}  // namespace storycluster
