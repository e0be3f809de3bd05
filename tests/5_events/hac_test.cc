// Sparse average linkage: thresholds, the cohesion rule, the time span.
#include "lib/5_events/hac.h"

#include <catch2/catch.hpp>
#include <random>

namespace storycluster {
namespace {

TEST_CASE("hac: average linkage merges tight pairs, not weak bridges") {
  // 0-1 and 2-3 are tight; a single weak edge 1-2 bridges them.
  const std::vector<SimilarityEdge> edges = {
      {0, 1, 0.9}, {2, 3, 0.8}, {1, 2, 0.5}};
  const auto root = AverageLinkage(5, edges, {.threshold = 0.3});
  CHECK(root[0] == root[1]);
  CHECK(root[2] == root[3]);
  // Linkage between {0,1} and {2,3} is 0.5 / 4 = 0.125 < 0.3.
  CHECK(root[0] != root[2]);
  CHECK(root[4] == 4);  // no edges: alone
  // A lower threshold lets the bridge through.
  const auto low = AverageLinkage(5, edges, {.threshold = 0.1});
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
  const auto plain = AverageLinkage(6, edges, {.threshold = 0.3});
  CHECK(plain[0] == plain[5]);
  const auto cohesive =
      AverageLinkage(6, edges, {.threshold = 0.3, .cohesion_ratio = 0.75});
  CHECK(cohesive[0] == cohesive[2]);
  CHECK(cohesive[3] == cohesive[5]);
  CHECK(cohesive[0] != cohesive[3]);
}

TEST_CASE("hac: a pair held back by cohesion is offered again later") {
  // {0,1} and {2,3} are tight (1.0); across them 0.7 < 0.75 x 1.0, so they
  // are held back. Node 4 then joins {0,1} loosely (linkage 0.3): the
  // cohesion of {0,1,4} drops to 1.6 / 3, and {0,1,4}-{2,3} at 2.8 / 6 =
  // 0.47 now passes 0.75 x 0.53, although node 4 has no link to {2,3}.
  std::vector<SimilarityEdge> edges = {
      {0, 1, 1.0}, {2, 3, 1.0}, {0, 4, 0.3}, {1, 4, 0.3}};
  for (uint32_t a = 0; a < 2; ++a) {
    for (uint32_t b = 2; b < 4; ++b) edges.push_back({a, b, 0.7});
  }
  const auto root =
      AverageLinkage(5, edges, {.threshold = 0.25, .cohesion_ratio = 0.75});
  CHECK(root == std::vector<uint32_t>(5, 0));
  // Without node 4's link, the two stay apart.
  edges.erase(edges.begin() + 2, edges.begin() + 4);
  const auto apart =
      AverageLinkage(5, edges, {.threshold = 0.25, .cohesion_ratio = 0.75});
  CHECK(apart == std::vector<uint32_t>{0, 0, 2, 2, 4});
}

TEST_CASE("hac: undated nodes cannot stretch a cluster past the span") {
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);
  const std::vector<std::optional<absl::Time>> times = {
      t0, std::nullopt, t0 + absl::Hours(24 * 90)};
  const std::vector<SimilarityEdge> edges = {
      {0, 1, 0.9}, {1, 2, 0.9}, {0, 2, 0.9}};
  const auto free = AverageLinkage(3, edges, {.threshold = 0.3});
  CHECK(free[0] == free[2]);
  const auto spanned = AverageLinkage(
      3, edges,
      {.threshold = 0.3, .times = &times, .max_span = absl::Hours(24 * 14)});
  CHECK(spanned[0] != spanned[2]);
  CHECK((spanned[1] == spanned[0] || spanned[1] == spanned[2]));
}

// The definition, step by step: among all pairs of clusters that pass the
// rules, merge the one with the highest average linkage; stop when none
// reaches the threshold. O(n^4), for small graphs only.
std::vector<uint32_t> NaiveAverageLinkage(
    uint32_t n, const std::vector<SimilarityEdge>& edges, double threshold,
    double cohesion_ratio, const std::vector<std::optional<absl::Time>>& times,
    absl::Duration max_span) {
  std::vector<std::vector<double>> w(n, std::vector<double>(n, 0.0));
  for (const SimilarityEdge& e : edges) {
    w[e.a][e.b] += e.weight;
    w[e.b][e.a] += e.weight;
  }
  std::vector<std::vector<uint32_t>> clusters(n);
  for (uint32_t i = 0; i < n; ++i) clusters[i] = {i};
  auto between = [&](const auto& x, const auto& y) {
    double sum = 0;
    for (uint32_t i : x)
      for (uint32_t j : y) sum += w[i][j];
    return sum;
  };
  auto cohesion = [&](const auto& x) {
    return between(x, x) / 2 / (0.5 * x.size() * (x.size() - 1.0));
  };
  auto span_ok = [&](const auto& x, const auto& y) {
    std::optional<absl::Time> lo, hi;
    for (const auto* c : {&x, &y}) {
      for (uint32_t i : *c) {
        if (!times[i]) continue;
        if (!lo || *times[i] < *lo) lo = times[i];
        if (!hi || *times[i] > *hi) hi = times[i];
      }
    }
    return !lo || *hi - *lo <= max_span;
  };
  while (true) {
    double best = -1;
    size_t bx = 0, by = 0;
    for (size_t x = 0; x < clusters.size(); ++x) {
      for (size_t y = x + 1; y < clusters.size(); ++y) {
        const auto &cx = clusters[x], &cy = clusters[y];
        const double linkage =
            between(cx, cy) / (double(cx.size()) * double(cy.size()));
        if (linkage < threshold || linkage <= best) continue;
        if (cohesion_ratio > 0 && cx.size() >= 2 && cy.size() >= 2 &&
            linkage < cohesion_ratio * std::min(cohesion(cx), cohesion(cy))) {
          continue;
        }
        if (!span_ok(cx, cy)) continue;
        best = linkage;
        bx = x;
        by = y;
      }
    }
    if (best < 0) break;
    clusters[bx].insert(clusters[bx].end(), clusters[by].begin(),
                        clusters[by].end());
    clusters.erase(clusters.begin() + static_cast<std::ptrdiff_t>(by));
  }
  std::vector<uint32_t> root(n);
  for (const auto& c : clusters) {
    const uint32_t smallest = *std::min_element(c.begin(), c.end());
    for (uint32_t i : c) root[i] = smallest;
  }
  return root;
}

TEST_CASE("hac: the lazy heap merges exactly as the step-by-step definition") {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> weight(0.05, 1.0);
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);
  for (int round = 0; round < 200; ++round) {
    const uint32_t n = 8 + static_cast<uint32_t>(rng() % 40);
    const double density = 0.05 + 0.3 * (rng() % 100) / 100.0;
    // Planted groups of 1-5 nodes: strong inside, weaker across, so the
    // cohesion rule holds pairs back and later lets some through.
    std::vector<uint32_t> group(n);
    for (uint32_t i = 0, g = 0; i < n; ++g) {
      for (uint32_t k = 1 + static_cast<uint32_t>(rng() % 5); k > 0 && i < n;
           --k) {
        group[i++] = g;
      }
    }
    std::vector<SimilarityEdge> edges;
    for (uint32_t a = 0; a < n; ++a) {
      for (uint32_t b = a + 1; b < n; ++b) {
        const bool inside = group[a] == group[b];
        if (inside ||
            std::uniform_real_distribution<double>(0, 1)(rng) < density) {
          edges.push_back(
              {a, b, inside ? 0.6 + 0.4 * weight(rng) : 0.7 * weight(rng)});
        }
      }
    }
    std::vector<std::optional<absl::Time>> times(n);
    for (uint32_t i = 0; i < n; ++i) {
      if (rng() % 5 != 0) times[i] = t0 + absl::Hours(rng() % (24 * 30));
    }
    const double threshold = 0.1 + 0.3 * (rng() % 100) / 100.0;
    const double cohesion = round % 2 == 0 ? 0.0 : 0.75;
    const absl::Duration span = absl::Hours(24 * 14);
    INFO("round " << round << " n " << n << " edges " << edges.size());
    const auto expected =
        NaiveAverageLinkage(n, edges, threshold, cohesion, times, span);
    CHECK(AverageLinkage(n, edges,
                         {.threshold = threshold,
                          .cohesion_ratio = cohesion,
                          .times = &times,
                          .max_span = span}) == expected);
    CHECK(AverageLinkage(n, edges,
                         {.threshold = threshold,
                          .cohesion_ratio = cohesion,
                          .times = &times,
                          .max_span = span,
                          .threads = 3}) == expected);
    std::vector<std::optional<absl::Time>> undated(n);
    CHECK(AverageLinkage(
              n, edges, {.threshold = threshold, .cohesion_ratio = cohesion}) ==
          NaiveAverageLinkage(n, edges, threshold, cohesion, undated,
                              absl::InfiniteDuration()));
  }
}

// Clusters with many neighbours: merges join long neighbour lists and
// leave many neighbours' lists to be brought up to date later; the lists
// are built on several threads. The result must not depend on the thread
// count.
TEST_CASE("hac: same clusters for any thread count on a dense graph") {
  std::mt19937_64 rng(7);
  const uint32_t n = 600;
  std::vector<SimilarityEdge> edges;
  for (uint32_t a = 0; a < n; ++a) {
    for (uint32_t b = a + 1; b < n; ++b) {
      const bool inside = a / 50 == b / 50;  // planted groups of 50
      if (inside || rng() % 3 == 0) {
        const double u = std::uniform_real_distribution<double>(0, 1)(rng);
        edges.push_back({a, b, inside ? 0.4 + 0.6 * u : 0.45 * u});
      }
    }
  }
  for (double cohesion : {0.0, 0.75}) {
    const auto one = AverageLinkage(
        n, edges, {.threshold = 0.3, .cohesion_ratio = cohesion, .threads = 1});
    for (int threads : {2, 3}) {
      INFO("threads " << threads << " cohesion " << cohesion);
      CHECK(AverageLinkage(n, edges,
                           {.threshold = 0.3,
                            .cohesion_ratio = cohesion,
                            .threads = threads}) == one);
    }
    // The planted groups come out whole, and apart.
    for (uint32_t i = 0; i < n; ++i) {
      CHECK(one[i] == one[i / 50 * 50]);
      if (i % 50 == 0 && i > 0) CHECK(one[i] != one[i - 50]);
    }
  }
}

TEST_CASE("hac: shared neighbours keep links inside groups, weaken bridges") {
  // Two groups of four, linked inside at 0.6, and one bridge 3-4 at 0.7:
  // the strongest link of both 3 and 4, but their other neighbours differ.
  std::vector<SimilarityEdge> edges;
  for (uint32_t g : {0u, 4u}) {
    for (uint32_t a = g; a < g + 4; ++a) {
      for (uint32_t b = a + 1; b < g + 4; ++b) edges.push_back({a, b, 0.6});
    }
  }
  edges.push_back({3, 4, 0.7});
  auto weighted = edges;
  WeightBySharedNeighbours(8, 3, 0.5, 0.0, 1, &weighted);
  REQUIRE(weighted.size() == edges.size());
  // Inside the first group: 0 and 1 both see {0, 1, 2, 3}: unchanged.
  CHECK(weighted[0].weight == Approx(0.6));
  // The bridge: N(3) = {3, 4, 0, 1}, N(4) = {4, 3, 5, 6} share 2 of 6.
  CHECK(weighted.back().weight == Approx(0.7 * (0.5 + 0.5 * 2.0 / 6.0)));
  // Inside a group, next to the bridge: N(2) = {2, 0, 1, 3} and N(3)
  // share 3 of 5 (ties broken by the smaller node).
  CHECK(weighted[5].weight == Approx(0.6 * (0.5 + 0.5 * 3.0 / 5.0)));
  // The same for any thread count; k = 0 changes nothing; a floor drops
  // the edges that fall below it, keeping the others in order.
  auto threaded = edges;
  WeightBySharedNeighbours(8, 3, 0.5, 0.0, 3, &threaded);
  for (size_t i = 0; i < edges.size(); ++i) {
    CHECK(threaded[i].weight == weighted[i].weight);
  }
  auto off = edges;
  WeightBySharedNeighbours(8, 0, 0.5, 0.0, 1, &off);
  CHECK(off.size() == edges.size());
  CHECK(off.back().weight == 0.7);
  auto dropped = edges;
  WeightBySharedNeighbours(8, 3, 0.0, 0.4, 1, &dropped);
  for (const SimilarityEdge& e : dropped) CHECK(e.weight >= 0.4);
  CHECK(dropped.size() < edges.size());
  CHECK(std::is_sorted(dropped.begin(), dropped.end(),
                       [&](const SimilarityEdge& x, const SimilarityEdge& y) {
                         return x.a != y.a ? x.a < y.a : x.b < y.b;
                       }));
}

}  // namespace
}  // namespace storycluster
