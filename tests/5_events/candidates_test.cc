// The candidate stages' dot product: ScatteredDot sums only the shared
// terms and must still give the sum over every term, bit for bit.
#include "lib/5_events/candidates.h"

#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <map>
#include <random>

namespace storycluster {
namespace {

struct Sparse {
  std::vector<uint32_t> indices;
  std::vector<float> values;
  Row row() const { return {indices, values}; }
};

// `nonzeros` distinct indices below `dimension`, ascending, with values
// drawn from `value`.
template <typename Value>
Sparse RandomSparse(std::mt19937_64& rng, uint32_t dimension, size_t nonzeros,
                    Value value) {
  std::map<uint32_t, float> picked;
  std::uniform_int_distribution<uint32_t> index(0, dimension - 1);
  while (picked.size() < nonzeros) picked[index(rng)] = value(rng);
  Sparse out;
  for (const auto& [i, v] : picked) {
    out.indices.push_back(i);
    out.values.push_back(v);
  }
  return out;
}

// The definition: every product of `other`'s terms, zeros included, added
// in order.
float Reference(const Sparse& mine, const Sparse& other, uint32_t dimension) {
  std::vector<float> dense(dimension, 0.0f);
  for (size_t t = 0; t < mine.indices.size(); ++t) {
    dense[mine.indices[t]] = mine.values[t];
  }
  float sum = 0.0f;
  for (size_t t = 0; t < other.indices.size(); ++t) {
    sum += dense[other.indices[t]] * other.values[t];
  }
  return sum;
}

TEST_CASE("candidates: the scattered dot equals the full sum bit for bit") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<float> positive(0.0f, 1.0f);
  std::uniform_real_distribution<float> signed_value(-1.0f, 1.0f);
  // Values that are exact zeros or negative make -0 products; row lengths
  // up to 1,000 cross the gather's blocks of 256.
  auto mixed = [&](std::mt19937_64& r) {
    const float v = signed_value(r);
    return v > 0.8f ? 0.0f : v;
  };
  ScatteredDot dot;
  int compared = 0, nonzero_results = 0;
  for (int round = 0; round < 400; ++round) {
    // The dimension changes between rounds: Set grows its arrays and
    // clears the previous vector's entries.
    const uint32_t dimension = 64u + static_cast<uint32_t>(round) * 37u;
    const size_t mine_size = 1 + rng() % std::min<uint32_t>(dimension, 600);
    const bool signed_round = round % 2 == 1;
    const Sparse mine = signed_round
                            ? RandomSparse(rng, dimension, mine_size, mixed)
                            : RandomSparse(rng, dimension, mine_size, positive);
    dot.Set(mine.row(), dimension);
    for (int c = 0; c < 5; ++c) {
      const size_t other_size = rng() % std::min<uint32_t>(dimension, 1000);
      const Sparse other =
          signed_round ? RandomSparse(rng, dimension, other_size, mixed)
                       : RandomSparse(rng, dimension, other_size, positive);
      const float expected = Reference(mine, other, dimension);
      const float got = dot.Dot(other.row());
      INFO("round " << round << ", candidate " << c << ": " << expected
                    << " vs " << got);
      REQUIRE(std::bit_cast<uint32_t>(got) ==
              std::bit_cast<uint32_t>(expected));
      ++compared;
      nonzero_results += expected != 0.0f;
    }
  }
  CHECK(compared == 2000);
  CHECK(nonzero_results > 1500);  // the vectors do share terms
}

TEST_CASE("candidates: a scattered dot with nothing shared is +0") {
  ScatteredDot dot;
  const Sparse mine{{1, 5, 9}, {0.5f, -0.25f, 1.0f}};
  dot.Set(mine.row(), 16);
  const Sparse other{{0, 2, 3, 10}, {-1.0f, -2.0f, 0.0f, 3.0f}};
  const float got = dot.Dot(other.row());
  CHECK(std::bit_cast<uint32_t>(got) == 0u);  // +0, not -0
  const Sparse one_shared{{0, 5, 10}, {-1.0f, 4.0f, 3.0f}};
  CHECK(dot.Dot(one_shared.row()) == -1.0f);
}

// The definition of TopTerms: sort the entries whose term is eligible by
// (-value, id), take k.
std::vector<int> ReferenceTopTerms(const Sparse& row, int k,
                                   const std::vector<uint64_t>* eligible) {
  std::vector<std::pair<float, int>> all;
  for (size_t t = 0; t < row.indices.size(); ++t) {
    const uint32_t id = row.indices[t];
    if (eligible != nullptr && ((*eligible)[id >> 6] >> (id & 63) & 1) == 0) {
      continue;
    }
    all.emplace_back(-row.values[t], static_cast<int>(id));
  }
  std::sort(all.begin(), all.end());
  std::vector<int> expected;
  for (size_t i = 0; i < std::min(all.size(), static_cast<size_t>(k)); ++i) {
    expected.push_back(all[i].second);
  }
  return expected;
}

TEST_CASE(
    "candidates: top terms are the k highest eligible values, ties by id") {
  std::mt19937_64 rng(11);
  // Values from a small set, so that ties are common; some negative.
  std::uniform_int_distribution<int> level(-3, 12);
  auto tied = [&](std::mt19937_64& r) { return 0.125f * level(r); };
  std::vector<std::pair<float, int>> scratch;
  std::vector<int> top;
  int checked = 0;
  size_t left_out = 0;
  for (int round = 0; round < 600; ++round) {
    const size_t size = rng() % 300;
    const Sparse row = RandomSparse(rng, 4096, size, tied);
    // About a quarter of the terms eligible (none in some rounds).
    std::vector<uint64_t> eligible(4096 / 64);
    if (round % 10 != 0) {
      for (uint64_t& word : eligible) word = rng() & rng();
    }
    for (int k : {1, 5, 12, 64, 65, 200}) {
      INFO("round " << round << ", k " << k << ", " << size << " entries");
      TopTerms(row.row(), k, &scratch, &top);
      REQUIRE(top == ReferenceTopTerms(row, k, nullptr));
      const std::vector<int> expected = ReferenceTopTerms(row, k, &eligible);
      TopTerms(row.row(), k, &scratch, &top, eligible.data());
      REQUIRE(top == expected);
      left_out += std::min<size_t>(size, k) - expected.size();
      ++checked;
    }
  }
  CHECK(checked == 3600);
  CHECK(left_out > 10000);  // the filter did leave terms out
}

TEST_CASE("candidates: terms of one item alone do not crowd out shared ones") {
  // Two items share term 100, their weakest; each has 12 stronger terms no
  // other item has. A third item shares nothing.
  TermMatrix text, entity;
  text.dimension = entity.dimension = 200;
  text.values.resize(1);
  entity.values.resize(1);
  for (uint32_t item = 0; item < 3; ++item) {
    for (uint32_t t = 0; t < 12; ++t) {
      text.indices.push_back(item * 20 + t);
      text.values[0].push_back(0.9f);
    }
    if (item < 2) {
      text.indices.push_back(100);
      text.values[0].push_back(0.1f);
    }
    text.offsets.push_back(text.indices.size());
    entity.offsets.push_back(0);
  }
  const Vectors v{Rows{&text, 0}, Rows{&entity, 0}};
  auto similarity = [](uint32_t, uint32_t, const PairDots& dots) {
    return dots.Text();
  };
  for (int threads : {1, 2}) {
    CandidateSearch search;
    search.max_postings = 50;
    search.threads = threads;
    const std::vector<SimilarityEdge> all_terms =
        CandidateEdges(v, search, similarity);
    CHECK(all_terms.empty());  // the top 12 of each are its own terms
    search.shared_terms_only = true;
    const std::vector<SimilarityEdge> shared =
        CandidateEdges(v, search, similarity);
    REQUIRE(shared.size() == 1);
    CHECK(shared[0].a == 0);
    CHECK(shared[0].b == 1);
    CHECK(shared[0].weight == Approx(0.01));
  }
}

TEST_CASE("candidates: terms in two rows, for any thread count") {
  std::mt19937_64 rng(17);
  for (int round = 0; round < 40; ++round) {
    TermMatrix m;
    m.dimension = 1 + static_cast<uint32_t>(rng() % 3000);
    const size_t rows = rng() % 60;
    std::vector<int> rows_with(m.dimension, 0);
    for (size_t r = 0; r < rows; ++r) {
      const size_t size = rng() % std::min<uint32_t>(m.dimension, 40);
      const Sparse row = RandomSparse(rng, m.dimension, size,
                                      [](std::mt19937_64&) { return 1.0f; });
      m.indices.insert(m.indices.end(), row.indices.begin(), row.indices.end());
      m.offsets.push_back(m.indices.size());
      for (uint32_t id : row.indices) ++rows_with[id];
    }
    m.values.assign(1, std::vector<float>(m.indices.size(), 1.0f));
    const Rows view{&m, 0};
    for (int threads : {1, 2, 3, 7}) {
      INFO("round " << round << ", " << rows << " rows, " << threads
                    << " threads");
      const std::vector<uint64_t> shared = TermsInTwoRows(view, threads);
      if (rows == 0) {
        CHECK(shared.empty());
        continue;
      }
      REQUIRE(shared.size() == (m.dimension + 63) / 64);
      for (uint32_t id = 0; id < m.dimension; ++id) {
        REQUIRE(((shared[id >> 6] >> (id & 63) & 1) != 0) ==
                (rows_with[id] >= 2));
      }
    }
  }
}

TEST_CASE("candidates: the strongest edges and the best candidates") {
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<int> level(0, 6);  // ties are common
  for (int round = 0; round < 300; ++round) {
    const size_t n = rng() % 150;
    // Distinct ranks in random order, as the candidates arrive.
    std::vector<uint32_t> ranks(n);
    for (uint32_t r = 0; r < n; ++r) ranks[r] = r * 3 + 1;
    std::shuffle(ranks.begin(), ranks.end(), rng);
    for (size_t k : {size_t{1}, size_t{10}, size_t{40}, size_t{200}}) {
      INFO("round " << round << ", k " << k << ", " << n << " items");
      // KeepLargest, given pairs in rank order (as the candidates are
      // scored): the k largest (score, rank), in rank order.
      std::vector<uint32_t> in_order = ranks;
      std::sort(in_order.begin(), in_order.end());
      std::vector<std::pair<double, uint32_t>> scored;
      for (uint32_t r : in_order) scored.push_back({0.25 * level(rng), r});
      std::vector<std::pair<double, uint32_t>> expected = scored;
      std::sort(expected.begin(), expected.end(), std::greater<>());
      expected.resize(std::min(k, expected.size()));
      std::sort(
          expected.begin(), expected.end(),
          [](const auto& a, const auto& b) { return a.second < b.second; });
      KeepLargest(k, &scored);
      REQUIRE(scored == expected);

      // SelectCandidates: the k with the most shared terms (ties: the
      // larger rank) as (terms, rank) in rank order; counts reset to 0.
      std::vector<uint16_t> count(3 * n + 2, 0);
      std::vector<std::pair<uint32_t, uint32_t>> want;
      for (uint32_t r : ranks) {
        count[r] = static_cast<uint16_t>(1 + level(rng));
        want.push_back({count[r], r});
      }
      std::sort(want.begin(), want.end(), std::greater<>());
      want.resize(std::min(k, want.size()));
      std::sort(want.begin(), want.end(), [](const auto& a, const auto& b) {
        return a.second < b.second;
      });
      std::vector<std::pair<uint32_t, uint32_t>> shared;
      SelectCandidates(k, ranks, &count, &shared);
      REQUIRE(shared == want);
      REQUIRE(std::all_of(count.begin(), count.end(),
                          [](uint16_t c) { return c == 0; }));
    }
  }
}

}  // namespace
}  // namespace storycluster
