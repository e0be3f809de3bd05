// Internal: candidate pairs for event and storyline clustering. Items
// (articles, or events as centroids) have two sparse channels; pairs are
// proposed by an inverted index over each item's strongest terms and
// scored with dot products against a scattered copy of the item.
#ifndef STORYCLUSTER_LIB_5_EVENTS_CANDIDATES_H_
#define STORYCLUSTER_LIB_5_EVENTS_CANDIDATES_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "lib/5_events/hac.h"
#include "lib/common/parallel.h"
#include "lib/common/prefetch.h"
#include "storycluster/features.h"

namespace storycluster {

// One sparse vector: ascending indices and their values.
struct Row {
  absl::Span<const uint32_t> indices;
  absl::Span<const float> values;
};

// One channel's vectors: row r of a TermMatrix under one idf offset.
struct Rows {
  const TermMatrix* matrix = nullptr;
  size_t value_set = 0;  // which idf offset

  size_t size() const { return matrix == nullptr ? 0 : matrix->rows(); }
  uint32_t dimension() const { return matrix->dimension; }
  Row operator[](size_t r) const {
    const uint64_t begin = matrix->offsets[r];
    const size_t n = matrix->offsets[r + 1] - begin;
    return {absl::MakeConstSpan(matrix->indices).subspan(begin, n),
            absl::MakeConstSpan(matrix->values[value_set]).subspan(begin, n)};
  }
};

// The `k` highest-weighted term ids of `v` (ties by id), in that order,
// into `*top`; `scratch` is reused from call to call. With `eligible` (a
// bitmap by term id), only the terms whose bit is set are considered.
void TopTerms(Row v, int k, std::vector<std::pair<float, int>>* scratch,
              std::vector<int>* top, const uint64_t* eligible = nullptr);

// A bitmap by term id of the terms found in at least two of `rows`: the
// only terms that can propose a pair. Computed on `threads` threads.
std::vector<uint64_t> TermsInTwoRows(const Rows& rows, int threads);

// Two channels per item: content terms and entity-like terms.
struct Vectors {
  Rows text, entity;
};

// Dot products of one sparse vector with many others: the one is scattered
// into a dense array, so each product costs one load per non-zero of the
// other vector instead of a merge of both index lists. The sum runs over
// the other vector's indices in ascending order (skipping the exact zeros
// where the first has none), so it equals SparseVector::dot bit for bit.
// On a large vocabulary the dense array outgrows the cache; a bitmap of
// the first vector's indices (one bit per term) stays in it.
//
// Only the shared terms enter the sum. Skipping the others is exact: their
// products are zeros (+0 or -0), the sum starts at +0 and can never become
// -0 (x + y is -0 only when both are -0), and adding a zero to anything
// other than -0 returns it unchanged. So the result is the same, bit for
// bit, as adding every product in order. The shared positions are first
// gathered without branches (a position is written always and kept when
// its bit is set), then summed: the chain of dependent additions, four
// cycles each, runs over the few shared terms instead of every term.
class ScatteredDot {
 public:
  // `v` need not outlive the call.
  void Set(Row v, uint32_t dimension) {
    for (uint32_t i : set_) {
      dense_[i] = 0.0f;
      present_[i >> 6] = 0;
    }
    if (dense_.size() < dimension) {
      dense_.resize(dimension);
      present_.resize((dimension + 63) / 64);
    }
    for (size_t t = 0; t < v.indices.size(); ++t) {
      const uint32_t i = v.indices[t];
      dense_[i] = v.values[t];
      present_[i >> 6] |= uint64_t{1} << (i & 63);
    }
    set_.assign(v.indices.begin(), v.indices.end());
  }
  float Dot(Row other) const {
    float sum = 0.0f;
    const uint32_t* const indices = other.indices.data();
    const float* const values = other.values.data();
    const size_t n = other.indices.size();
    // In blocks, so that the gathered positions fit a small stack array.
    constexpr size_t kBlock = 256;
    uint32_t shared[kBlock];
    for (size_t from = 0; from < n; from += kBlock) {
      const size_t to = std::min(n, from + kBlock);
      size_t m = 0;
      for (size_t t = from; t < to; ++t) {
        const uint32_t i = indices[t];
        shared[m] = static_cast<uint32_t>(t);
        m += (present_[i >> 6] >> (i & 63)) & 1;
      }
      for (size_t k = 0; k < m; ++k) {
        const uint32_t t = shared[k];
        sum += dense_[indices[t]] * values[t];
      }
    }
    return sum;
  }

 private:
  std::vector<uint32_t> set_;  // the indices to clear at the next Set
  std::vector<float> dense_;
  std::vector<uint64_t> present_;  // bit i: dense_[i] may be non-zero
};

// The two channel cosines of the item being visited with a candidate.
struct PairDots {
  const ScatteredDot& text_of_item;
  const ScatteredDot& entity_of_item;
  Row text;    // the candidate's
  Row entity;  // the candidate's
  double Text() const { return text_of_item.Dot(text); }
  double Entity() const { return entity_of_item.Dot(entity); }
};

// Keeps the `k` largest (score, rank) pairs of `*items` (ties: the larger
// rank, i.e. the more recent item), then restores rank order.
// The ranks are distinct, so the k largest pairs are one set whatever
// the selection algorithm: a linear selection, then one sort by rank.
template <typename Score>
void KeepLargest(size_t k, std::vector<std::pair<Score, uint32_t>>* items) {
  if (items->size() <= k) return;
  std::nth_element(items->begin(), items->begin() + static_cast<ptrdiff_t>(k),
                   items->end(), std::greater<>());
  items->resize(k);
  std::sort(items->begin(), items->end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
}

// The at most `k` candidates of `touched` (distinct ranks) with the most
// shared terms `(*count)[rank]`, ties to the larger rank, as (terms, rank)
// in rank order; resets their counts to 0. Linear in the candidates: the
// count at which the k-th falls is found by a histogram.
void SelectCandidates(size_t k, const std::vector<uint32_t>& touched,
                      std::vector<uint16_t>* count,
                      std::vector<std::pair<uint32_t, uint32_t>>* shared);

struct CandidateLimits {
  size_t candidates;  // compared per item
  size_t edges;       // kept per item (to earlier items)
};

// How CandidateEdges proposes and keeps pairs.
struct CandidateSearch {
  int top_terms = 12;  // strongest terms per item and channel
  // Choose an item's strongest terms among those some other item has too:
  // a term of one item alone (a rare word, a name, a typo) proposes
  // nothing and would only take the place of one that does.
  bool shared_terms_only = false;
  // A term in more items than this is too common to propose pairs.
  size_t max_postings = 0;
  // Bound the work and the graph per item, so that both grow linearly
  // with the number of items.
  CandidateLimits limits{100, 40};
  double min_weight = 0;  // weaker pairs are not kept as edges
  // With times, items further apart than `window` are not paired, so the
  // work per item is bounded by how many items fall in its window.
  const std::vector<std::optional<absl::Time>>* times = nullptr;
  absl::Duration window = absl::InfiniteDuration();
  int threads = 0;  // the edges are the same for any count
};

// The inverted index CandidateEdges reads: items in visit order (by time
// when times are given, the known times first, ascending) and, per term of
// either channel, the visit ranks of the items that have it among their
// strongest terms.
struct CandidateIndex {
  std::vector<uint32_t> order;                     // visit rank -> item
  std::vector<std::optional<absl::Time>> time_at;  // by visit rank
  uint32_t known = 0;  // ranks below it have a time, in time order
  // Postings of list l: postings[list_begin[l] .. list_begin[l + 1]).
  // Text term t is list t, entity term t list text dimension + t.
  std::vector<uint64_t> list_begin;
  std::vector<uint32_t> postings;
  // Each item's keys, by blocks of items (one array per block): (list <<
  // 32 | the position of the item's own rank in that list), so that the
  // earlier items of a list are the ones before it.
  static constexpr size_t kKeyBlock = 256;
  std::vector<std::vector<int64_t>> block_keys;
  std::vector<uint32_t> keys_end;  // in its block's array

  // Where the item's keys start in its block's array.
  uint32_t keys_begin(uint32_t item) const {
    return item % kKeyBlock == 0 ? 0 : keys_end[item - 1];
  }
  absl::Span<const int64_t> keys(uint32_t item) const {
    const uint32_t from = keys_begin(item);
    return absl::MakeConstSpan(block_keys[item / kKeyBlock])
        .subspan(from, keys_end[item] - from);
  }
  absl::Span<const uint32_t> list(uint64_t l) const {
    return absl::MakeConstSpan(postings).subspan(
        list_begin[l], list_begin[l + 1] - list_begin[l]);
  }
};
CandidateIndex BuildCandidateIndex(const Vectors& v,
                                   const CandidateSearch& search);

// The earlier items that item `order[r]` shares strong terms with, as
// (shared terms, rank) in rank order: at most `limits.candidates` of them,
// those sharing the most terms, then the latest. Per term, only the latest
// `limits.candidates` earlier items inside the window are read. `count`
// holds zeros by rank (one per item) and is left so.
void ProposeCandidates(const CandidateIndex& index,
                       const CandidateSearch& search, size_t r,
                       std::vector<uint16_t>* count,
                       std::vector<uint32_t>* touched,
                       std::vector<std::pair<uint32_t, uint32_t>>* shared);

// Candidate pairs from an inverted index over each item's strongest terms
// in both channels (BuildCandidateIndex); items sharing no strong term are
// never compared. Each item is scored against its proposed earlier items
// (ProposeCandidates) with `similarity(i, j, PairDots)`, i < j, and keeps
// its `limits.edges` strongest edges of at least `min_weight`. The
// similarities are computed on `threads` threads; the edges come out in
// the same order for any thread count.
template <typename Similarity>
std::vector<SimilarityEdge> CandidateEdges(const Vectors& v,
                                           const CandidateSearch& search,
                                           Similarity similarity) {
  const CandidateIndex index = BuildCandidateIndex(v, search);
  const uint32_t n = static_cast<uint32_t>(v.text.size());
  constexpr size_t kGrain = 512;
  std::vector<std::vector<SimilarityEdge>> chunk_edges((n + kGrain - 1) /
                                                       kGrain);
  // Per worker: shared-term counts by rank (zero between items). An item
  // has at most 2 * top_terms keys, far below 65,536.
  std::vector<std::vector<uint16_t>> shared_terms(
      ResolveThreads(search.threads));
  ParallelFor(
      n, search.threads, kGrain, [&](size_t begin, size_t end, int worker) {
        std::vector<uint16_t>& count = shared_terms[worker];
        if (count.size() < n) count.assign(n, 0);
        std::vector<uint32_t> touched;
        std::vector<std::pair<uint32_t, uint32_t>> shared;  // (terms, rank)
        std::vector<std::pair<double, uint32_t>> scored;    // (weight, rank)
        std::vector<SimilarityEdge>& edges = chunk_edges[begin / kGrain];
        ScatteredDot text_of_item, entity_of_item;
        for (size_t r = begin; r < end; ++r) {
          const uint32_t i = index.order[r];
          ProposeCandidates(index, search, r, &count, &touched, &shared);
          scored.clear();
          if (!shared.empty()) {
            text_of_item.Set(v.text[i], v.text.dimension());
            entity_of_item.Set(v.entity[i], v.entity.dimension());
          }
          // The candidates' rows are scattered over the matrices: every line
          // of a few candidates ahead is fetched, so that their cache misses
          // overlap (a row of a centroid spans ~10 lines per array; fetching
          // only its first line left the rest to one miss after another).
          constexpr size_t kAhead = 4;
          auto prefetch = [&](size_t c) {
            if (c >= shared.size()) return;
            const uint32_t j = index.order[shared[c].second];
            for (Row row : {v.text[j], v.entity[j]}) {
              PrefetchLines(row.indices.data(), row.indices.size());
              PrefetchLines(row.values.data(), row.values.size());
            }
          };
          for (size_t c = 0; c < kAhead; ++c) prefetch(c);
          for (size_t c = 0; c < shared.size(); ++c) {
            prefetch(c + kAhead);
            const uint32_t e = shared[c].second;
            const uint32_t j = index.order[e];
            const double w = similarity(
                std::min(i, j), std::max(i, j),
                PairDots{text_of_item, entity_of_item, v.text[j], v.entity[j]});
            if (w >= search.min_weight) scored.push_back({w, e});
          }
          // Keep the `limits.edges` strongest edges to earlier items.
          KeepLargest(search.limits.edges, &scored);
          for (const auto& [w, e] : scored) {
            edges.push_back({index.order[e], i, w});
          }
        }
      });
  std::vector<SimilarityEdge> edges;
  for (auto& chunk : chunk_edges) {
    edges.insert(edges.end(), chunk.begin(), chunk.end());
  }
  return edges;
}

}  // namespace storycluster

#endif  // STORYCLUSTER_LIB_5_EVENTS_CANDIDATES_H_
