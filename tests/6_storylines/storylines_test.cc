// The storyline stage's steps: event vectors as centroids, each event's
// representative, and the linkage of events that share topic terms.
#include "lib/6_storylines/storylines.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "test_matrix.h"

namespace storycluster {
namespace {

std::vector<uint32_t> Members(const GroupMembers& groups, uint32_t g) {
  const auto m = groups.of(g);
  return {m.begin(), m.end()};
}

TEST_CASE("storylines: an event's vector is the normalised sum of its rows") {
  const TermMatrix rows =
      MatrixOf(3, {{{0, 0.6f}, {1, 0.8f}}, {{2, 1.0f}}, {{1, 1.0f}}});
  const GroupMembers groups({0, 1, 0}, 2);
  REQUIRE(Members(groups, 0) == std::vector<uint32_t>{0, 2});
  REQUIRE(Members(groups, 1) == std::vector<uint32_t>{1});
  for (int threads : {1, 2}) {
    const TermMatrix c = Centroids(Rows{&rows, 0}, groups, threads);
    REQUIRE(c.rows() == 2);
    // Group 0: (0.6, 1.8) / |(0.6, 1.8)|; group 1: its one row.
    const float norm = std::sqrt(0.6f * 0.6f + 1.8f * 1.8f);
    REQUIRE(c.offsets == std::vector<uint64_t>{0, 2, 3});
    REQUIRE(c.indices == std::vector<uint32_t>{0, 1, 2});
    CHECK(c.values[0][0] == Approx(0.6f / norm));
    CHECK(c.values[0][1] == Approx(1.8f / norm));
    CHECK(c.values[0][2] == Approx(1.0f));
  }
}

TEST_CASE("storylines: an event's representative is the member nearest it") {
  // Event 0 has three members; the middle one lies between the others.
  const TermMatrix text = MatrixOf(
      2, {{{0, 1.0f}}, {{0, 0.8f}, {1, 0.6f}}, {{1, 1.0f}}, {{1, 1.0f}}});
  const TermMatrix entity = MatrixOf(1, {{}, {}, {}, {}});
  const Vectors topic{Rows{&text, 0}, Rows{&entity, 0}};
  const GroupMembers groups({0, 0, 0, 1}, 2);
  const TermMatrix event_text = Centroids(topic.text, groups, 1);
  const TermMatrix event_entity = Centroids(topic.entity, groups, 1);
  const Vectors events{Rows{&event_text, 0}, Rows{&event_entity, 0}};
  const std::vector<uint32_t> originals = {10, 11, 12, 13};
  CHECK(Representatives(events, topic, groups, originals, 1) ==
        std::vector<uint32_t>{11, 13});
}

TEST_CASE("storylines: events that share topic terms link, others stay apart") {
  // Events 0 and 1 share terms 0 and 1 (text cosine 0.96), events 2 and 3
  // share term 2 (cosine 0.8); no term joins the two pairs.
  const TermMatrix text = MatrixOf(4, {{{0, 0.8f}, {1, 0.6f}},
                                       {{0, 0.6f}, {1, 0.8f}},
                                       {{2, 1.0f}},
                                       {{2, 0.8f}, {3, 0.6f}}});
  const TermMatrix entity = MatrixOf(1, {{}, {}, {}, {}});
  const Vectors events{Rows{&text, 0}, Rows{&entity, 0}};
  CandidateSearch search;
  search.min_weight = 0.02;
  StorylineOptions options;  // entity weight 0.5: similarities 0.48, 0.4
  for (int threads : {1, 2}) {
    search.threads = threads;
    std::vector<SimilarityEdge> edges = StorylineEdges(events, options, search);
    REQUIRE(edges.size() == 2);
    std::vector<uint32_t> story = LinkStorylines(4, edges, options, threads);
    CHECK(story[0] == story[1]);
    CHECK(story[2] == story[3]);
    CHECK(story[0] != story[2]);
    // Between the two similarities, only the closer pair links.
    options.similarity = 0.45;
    story = LinkStorylines(4, std::move(edges), options, threads);
    CHECK(story[0] == story[1]);
    CHECK(story[2] != story[3]);
    options.similarity = StorylineOptions().similarity;
  }
}

TEST_CASE("storylines: options out of range are refused") {
  CHECK(CheckStorylineOptions(StorylineOptions()).ok());
  for (double bad : {0.0, -0.1, 1.5}) {
    StorylineOptions options;
    options.similarity = bad;
    CHECK(absl::IsInvalidArgument(CheckStorylineOptions(options)));
  }
  StorylineOptions options;
  options.idf_offset = -1;
  CHECK(absl::IsInvalidArgument(CheckStorylineOptions(options)));
}

}  // namespace
}  // namespace storycluster
