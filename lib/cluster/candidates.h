// Internal: candidate pairs for event and storyline clustering. Items
// (articles, or events as centroids) have two sparse channels; pairs are
// proposed by an inverted index over each item's strongest terms and
// scored with dot products against a scattered copy of the item.
#ifndef STORYCLUSTER_LIB_CLUSTER_CANDIDATES_H_
#define STORYCLUSTER_LIB_CLUSTER_CANDIDATES_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <numeric>
#include <optional>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "lib/cluster/hac.h"
#include "lib/common/parallel.h"
#include "lib/common/prefetch.h"
#include "lib/common/time_order.h"
#include "storycluster/tfidf.h"

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

// Candidate pairs from an inverted index over each item's strongest terms
// in both channels; items sharing no strong term are never compared. With
// `shared_terms_only`, an item's strongest terms are chosen among those
// some other item has too: a term of one item alone (a rare word, a name,
// a typo) proposes nothing and would only take the place of one that
// does. Terms in more than `max_postings` items are too common to propose
// pairs. With `times`, items further apart than `window` are not paired
// (their similarity is 0 anyway), so the work per item is bounded by how
// many items fall in its window, not by the corpus size. The similarities
// are computed on `threads` threads; the edges come out in the same order
// for any thread count. `limits` bound the work and the graph per item, so
// both grow linearly with the number of items.
template <typename Similarity>
std::vector<SimilarityEdge> CandidateEdges(
    const Vectors& v, int top_terms, bool shared_terms_only,
    size_t max_postings, CandidateLimits limits, double min_weight,
    const std::vector<std::optional<absl::Time>>* times, absl::Duration window,
    int threads, Similarity similarity) {
  const uint32_t n = static_cast<uint32_t>(v.text.size());
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  if (times != nullptr) order = TimeOrder(*times);
  // Items are visited in `order`; the known times come first, ascending.
  std::vector<std::optional<absl::Time>> time_at(n);
  if (times != nullptr) {
    for (uint32_t r = 0; r < n; ++r) time_at[r] = (*times)[order[r]];
  }
  const uint32_t known = static_cast<uint32_t>(
      std::find_if(time_at.begin(), time_at.end(),
                   [](const auto& t) { return !t.has_value(); }) -
      time_at.begin());
  // Each item's keys: its strongest text terms t, then its strongest
  // entity terms as -1 - t. Stored by blocks of items, one array per
  // block (filled by one worker), instead of one allocation per item.
  constexpr size_t kKeyBlock = 256;
  std::vector<std::vector<int64_t>> block_keys((n + kKeyBlock - 1) / kKeyBlock);
  std::vector<uint32_t> keys_end(n);                 // in its block's array
  std::vector<uint64_t> text_shared, entity_shared;  // empty: every term
  if (shared_terms_only) {
    text_shared = TermsInTwoRows(v.text, threads);
    entity_shared = TermsInTwoRows(v.entity, threads);
  }
  ParallelFor(n, threads, kKeyBlock, [&](size_t begin, size_t end, int) {
    std::vector<std::pair<float, int>> scratch;
    std::vector<int> top;
    for (size_t i = begin; i < end; ++i) {
      std::vector<int64_t>& out = block_keys[i / kKeyBlock];
      TopTerms(v.text[i], top_terms, &scratch, &top, text_shared.data());
      out.insert(out.end(), top.begin(), top.end());
      TopTerms(v.entity[i], top_terms, &scratch, &top, entity_shared.data());
      for (int t : top) out.push_back(-1 - t);
      keys_end[i] = static_cast<uint32_t>(out.size());
    }
  });
  auto keys = [&](uint32_t i) {
    const uint32_t from = i % kKeyBlock == 0 ? 0 : keys_end[i - 1];
    return absl::MakeSpan(block_keys[i / kKeyBlock])
        .subspan(from, keys_end[i] - from);
  };
  // Postings hold visit ranks, ascending, one list per term of either
  // channel (text term t: list t; entity term t: list text dimension + t),
  // the lists one after another in one array. Each item's keys are then
  // replaced by (list << 32 | position of its own rank in the list): the
  // earlier items of a list are the ones before it, found without a lookup
  // or a search. Counted, then filled in visit order: no per-list storage.
  const uint64_t text_lists = v.text.dimension();
  auto list_of = [&](int64_t key) {
    return key >= 0 ? static_cast<uint64_t>(key)
                    : text_lists + static_cast<uint64_t>(-1 - key);
  };
  std::vector<uint64_t> list_begin(text_lists + v.entity.dimension() + 1, 0);
  for (const std::vector<int64_t>& block : block_keys) {
    for (int64_t key : block) ++list_begin[list_of(key) + 1];
  }
  for (size_t l = 1; l < list_begin.size(); ++l) {
    list_begin[l] += list_begin[l - 1];
  }
  std::vector<uint32_t> postings(list_begin.back());
  {
    std::vector<uint64_t> fill(list_begin.begin(), list_begin.end() - 1);
    for (uint32_t r = 0; r < n; ++r) {
      for (int64_t& key : keys(order[r])) {
        const uint64_t list = list_of(key);
        key =
            static_cast<int64_t>(list << 32 | (fill[list] - list_begin[list]));
        postings[fill[list]++] = r;
      }
    }
  }
  constexpr size_t kGrain = 512;
  std::vector<std::vector<SimilarityEdge>> chunk_edges((n + kGrain - 1) /
                                                       kGrain);
  // Per worker: shared-term counts by rank (zero between items). An item
  // has at most 2 * top_terms keys, far below 65,536.
  std::vector<std::vector<uint16_t>> shared_terms(ResolveThreads(threads));
  ParallelFor(n, threads, kGrain, [&](size_t begin, size_t end, int worker) {
    std::vector<uint16_t>& count = shared_terms[worker];
    if (count.size() < n) count.assign(n, 0);
    std::vector<uint32_t> touched;
    std::vector<std::pair<uint32_t, uint32_t>> shared;  // (terms, rank)
    std::vector<std::pair<double, uint32_t>> scored;    // (weight, rank)
    std::vector<SimilarityEdge>& edges = chunk_edges[begin / kGrain];
    ScatteredDot text_of_item, entity_of_item;
    for (size_t r = begin; r < end; ++r) {
      const uint32_t i = order[r];
      touched.clear();
      for (int64_t key : keys(i)) {
        const uint64_t l = static_cast<uint64_t>(key) >> 32;
        const absl::Span<const uint32_t> list =
            absl::MakeConstSpan(postings).subspan(
                list_begin[l], list_begin[l + 1] - list_begin[l]);
        if (list.size() > max_postings) continue;
        // Earlier items only, and (for a dated item) only those within the
        // window: ranks below `known` are in time order. At most the
        // `limits.candidates` latest of them per term.
        const auto last =
            list.begin() + static_cast<std::ptrdiff_t>(key & 0xffffffff);
        auto first = list.begin();
        if (time_at[r].has_value()) {
          const absl::Time from = *time_at[r] - window;
          first = std::partition_point(list.begin(), last, [&](uint32_t e) {
            return e < known && *time_at[e] < from;
          });
        }
        if (static_cast<size_t>(last - first) > limits.candidates) {
          first = last - static_cast<std::ptrdiff_t>(limits.candidates);
        }
        // The counts lie all over an array as long as the items (beyond
        // the cache on large inputs): each is fetched a few entries ahead.
        constexpr std::ptrdiff_t kCountAhead = 16;
        for (auto e = first; e != last; ++e) {
          if (last - e > kCountAhead) {
            __builtin_prefetch(&count[e[kCountAhead]], 1);
          }
          if (count[*e]++ == 0) touched.push_back(*e);
        }
      }
      // Rank candidates by how many strong terms they share (then by
      // recency) and keep the best `limits.candidates`, in rank order.
      SelectCandidates(limits.candidates, touched, &count, &shared);
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
        const uint32_t j = order[shared[c].second];
        for (Row row : {v.text[j], v.entity[j]}) {
          PrefetchLines(row.indices.data(), row.indices.size());
          PrefetchLines(row.values.data(), row.values.size());
        }
      };
      for (size_t c = 0; c < kAhead; ++c) prefetch(c);
      for (size_t c = 0; c < shared.size(); ++c) {
        prefetch(c + kAhead);
        const uint32_t e = shared[c].second;
        const uint32_t j = order[e];
        const double w = similarity(
            std::min(i, j), std::max(i, j),
            PairDots{text_of_item, entity_of_item, v.text[j], v.entity[j]});
        if (w >= min_weight) scored.push_back({w, e});
      }
      // Keep the `limits.edges` strongest edges to earlier items.
      KeepLargest(limits.edges, &scored);
      for (const auto& [w, e] : scored) edges.push_back({order[e], i, w});
    }
  });
  std::vector<SimilarityEdge> edges;
  for (auto& chunk : chunk_edges) {
    edges.insert(edges.end(), chunk.begin(), chunk.end());
  }
  return edges;
}

}  // namespace storycluster

#endif  // STORYCLUSTER_LIB_CLUSTER_CANDIDATES_H_
