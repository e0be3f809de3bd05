// The event stage's steps: candidate pairs scored by the pair model (with
// the evidence a trainer sees), the time window, and average linkage.
#include "lib/5_events/events.h"

#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <utility>

#include "test_matrix.h"

namespace storycluster {
namespace {

struct Observed {
  std::mutex mu;
  std::map<std::pair<uint32_t, uint32_t>, PairEvidence> pairs;
};

TEST_CASE("events: candidate pairs carry their evidence; the window holds") {
  // Articles 0 and 1 are one event (same day, text cosine 0.96); 2 and 3
  // share a term a year apart; nothing joins 0-1 with 2-3.
  const TermMatrix text = MatrixOf(4, {{{0, 0.8f}, {1, 0.6f}},
                                       {{0, 0.6f}, {1, 0.8f}},
                                       {{2, 1.0f}},
                                       {{2, 0.8f}, {3, 0.6f}}});
  const TermMatrix entity = MatrixOf(1, {{}, {}, {}, {}});
  const Vectors docs{Rows{&text, 0}, Rows{&entity, 0}};
  const std::vector<uint32_t> originals = {10, 11, 12, 13};
  const absl::Time day = absl::FromUnixSeconds(1'700'000'000);
  const std::vector<std::optional<absl::Time>> times = {
      day, day + absl::Hours(3), day, day + absl::Hours(24 * 365)};
  CandidateSearch search;
  search.min_weight = 0.02;
  for (int threads : {1, 2}) {
    search.threads = threads;
    Observed seen;
    EventOptions options;
    options.pair_observer = [&](uint32_t a, uint32_t b, const PairEvidence& e) {
      std::lock_guard<std::mutex> lock(seen.mu);
      seen.pairs[{std::min(a, b), std::max(a, b)}] = e;
    };
    std::vector<SimilarityEdge> edges =
        EventEdges(docs, originals, times, options, search);
    // The observer sees article indices, with the pair's evidence.
    REQUIRE(seen.pairs.size() == 2);
    const PairEvidence& near = seen.pairs.at({10, 11});
    CHECK(near.text_cosine == Approx(0.96));
    REQUIRE(near.gap_days.has_value());
    CHECK(*near.gap_days == Approx(0.125));
    CHECK(near.terms_a == 2);
    const PairEvidence& far = seen.pairs.at({12, 13});
    CHECK(far.text_cosine == Approx(0.8));
    CHECK(*far.gap_days == Approx(365.0));
    CHECK(far.terms_a + far.terms_b == 3);
    std::vector<uint32_t> event =
        LinkEvents(4, std::move(edges), times, options, threads);
    CHECK(event[0] == event[1]);
    CHECK(event[1] != event[2]);

    // A 30-day window: the pair a year apart is not even a candidate.
    seen.pairs.clear();
    options.window = absl::Hours(24 * 30);
    edges = EventEdges(docs, originals, times, options, search);
    CHECK(seen.pairs.size() == 1);
    CHECK(seen.pairs.count({10, 11}) == 1);
    event = LinkEvents(4, std::move(edges), times, options, threads);
    CHECK(event[0] == event[1]);
    CHECK(event[2] != event[3]);
  }
}

TEST_CASE("events: options out of range are refused") {
  CHECK(CheckEventOptions(EventOptions()).ok());
  auto refused = [](auto change) {
    EventOptions options;
    change(options);
    return absl::IsInvalidArgument(CheckEventOptions(options));
  };
  CHECK(refused([](EventOptions& o) { o.similarity = 0; }));
  CHECK(refused([](EventOptions& o) { o.similarity = 1.01; }));
  CHECK(refused([](EventOptions& o) { o.idf_offset = -0.5; }));
  CHECK(refused([](EventOptions& o) { o.shared_neighbours = -1; }));
  CHECK(refused([](EventOptions& o) { o.shared_neighbours = 1001; }));
  CHECK(refused([](EventOptions& o) { o.shared_neighbour_floor = 1.5; }));
}

}  // namespace
}  // namespace storycluster
