// Events and storylines. Copies come from dedup.h; only originals take
// part in event clustering (a story reprinted 40 times counts once). Each
// original has two L2-normalised TF-IDF vectors (stemmed content terms with
// the title weighted up; entity-like terms). Candidate pairs share one of
// their strongest terms; their similarity mixes the two cosines and is
// scaled down by the gap between publication times. Average linkage over
// that sparse graph (hac.h) forms events; the same over event centroids,
// with a lower threshold and no time limit, forms storylines. Average
// linkage compares whole clusters, so a chain A~B~C does not merge A and C
// unless the clusters are similar on average.
#include "storycluster/cluster.h"

#include <Eigen/SparseCore>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "lib/cluster/hac.h"
#include "lib/cluster/stage_clock.h"
#include "lib/common/parallel.h"
#include "lib/common/time_order.h"

namespace storycluster {
namespace {

using SparseVec = Eigen::SparseVector<float>;

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

// The `k` highest-weighted term ids of `v` (ties by id).
std::vector<int> TopTerms(Row v, int k) {
  std::vector<std::pair<float, int>> terms;
  for (size_t t = 0; t < v.indices.size(); ++t) {
    terms.emplace_back(-v.values[t], static_cast<int>(v.indices[t]));
  }
  const size_t keep = std::min(terms.size(), static_cast<size_t>(k));
  std::partial_sort(terms.begin(), terms.begin() + keep, terms.end());
  std::vector<int> out;
  for (size_t i = 0; i < keep; ++i) out.push_back(terms[i].second);
  return out;
}

// Asks for every cache line of `values[0, n)` ahead of use.
template <typename T>
void PrefetchLines(const T* values, size_t n) {
  constexpr uintptr_t kLine = 64;
  const uintptr_t begin = reinterpret_cast<uintptr_t>(values) & ~(kLine - 1);
  const uintptr_t end = reinterpret_cast<uintptr_t>(values + n);
  for (uintptr_t at = begin; at < end; at += kLine) {
    __builtin_prefetch(reinterpret_cast<const void*>(at));
  }
}

// Two channels per item: content terms and entity-like terms.
struct Vectors {
  Rows text, entity;
};

// Multiplier for two publication times: 1 within `full` of each other,
// then exp(-(gap - full) / decay); 0 beyond `window`. Unknown: 1.
double TimeFactor(const std::optional<absl::Time>& a,
                  const std::optional<absl::Time>& b, const ClusterOptions& o) {
  if (!a || !b) return 1.0;
  const absl::Duration gap = absl::AbsDuration(*a - *b);
  if (gap > o.event_window) return 0.0;
  if (gap <= o.time_full_weight) return 1.0;
  return std::exp(-absl::FDivDuration(gap - o.time_full_weight, o.time_decay));
}

// Dot products of one sparse vector with many others: the one is scattered
// into a dense array, so each product costs one load per non-zero of the
// other vector instead of a merge of both index lists. The sum runs over
// the other vector's indices in ascending order (skipping the exact zeros
// where the first has none), so it equals SparseVector::dot bit for bit.
// On a large vocabulary the dense array outgrows the cache; a bitmap of
// the first vector's indices (one bit per term) stays in it, and only the
// shared terms load from the array (the others load a zero kept at its
// end, always in the cache: no branch to mispredict).
class ScatteredDot {
 public:
  void Set(Row v, uint32_t dimension) {
    for (uint32_t i : current_.indices) {
      dense_[i] = 0.0f;
      present_[i >> 6] = 0;
    }
    if (dense_.size() < dimension + size_t{1}) {
      dense_.resize(dimension + size_t{1});  // the last one stays 0
      present_.resize((dimension + 63) / 64);
      zero_ = dimension;
    }
    for (size_t t = 0; t < v.indices.size(); ++t) {
      const uint32_t i = v.indices[t];
      dense_[i] = v.values[t];
      present_[i >> 6] |= uint64_t{1} << (i & 63);
    }
    current_ = v;
  }
  float Dot(Row other) const {
    float sum = 0.0f;
    for (size_t t = 0; t < other.indices.size(); ++t) {
      const uint32_t i = other.indices[t];
      const uint32_t at = (present_[i >> 6] >> (i & 63)) & 1 ? i : zero_;
      sum += dense_[at] * other.values[t];
    }
    return sum;
  }

 private:
  Row current_;
  std::vector<float> dense_;
  std::vector<uint64_t> present_;  // bit i: dense_[i] may be non-zero
  uint32_t zero_ = 0;              // dense_[zero_] == 0, the last slot
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
template <typename Score>
void KeepLargest(size_t k, std::vector<std::pair<Score, uint32_t>>* items) {
  if (items->size() <= k) return;
  std::partial_sort(items->begin(), items->begin() + k, items->end(),
                    std::greater<>());
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
                      std::vector<std::pair<uint32_t, uint32_t>>* shared) {
  std::vector<size_t> at_count(1, 0);
  for (uint32_t e : touched) {
    const uint16_t c = (*count)[e];
    if (c >= at_count.size()) at_count.resize(c + 1, 0);
    ++at_count[c];
  }
  // Every candidate with more than `cut` terms is kept, and the latest
  // `ties` of those with exactly `cut`.
  size_t cut = at_count.size() - 1, above = 0;
  while (cut > 0 && above + at_count[cut] < k) above += at_count[cut--];
  const size_t ties = cut == 0 ? 0 : k - above;
  shared->clear();
  std::vector<uint32_t> tied;
  for (uint32_t e : touched) {
    const uint16_t c = (*count)[e];
    (*count)[e] = 0;
    if (c > cut) {
      shared->push_back({c, e});
    } else if (c == cut && ties > 0) {
      tied.push_back(e);
    }
  }
  if (tied.size() > ties) {
    std::nth_element(tied.begin(), tied.begin() + ties, tied.end(),
                     std::greater<>());
    tied.resize(ties);
  }
  for (uint32_t e : tied) shared->push_back({static_cast<uint32_t>(cut), e});
  std::sort(shared->begin(), shared->end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
}

struct CandidateLimits {
  size_t candidates;  // compared per item
  size_t edges;       // kept per item (to earlier items)
};

// Candidate pairs from an inverted index over each item's strongest terms
// in both channels; items sharing no strong term are never compared. Terms
// in more than `max_postings` items are too common to propose pairs. With
// `times`, items further apart than `window` are not paired (their
// similarity is 0 anyway), so the work per item is bounded by how many
// items fall in its window, not by the corpus size. The similarities are
// computed on `threads` threads; the edges come out in the same order for
// any thread count. `limits` bound the work and the graph per item, so
// both grow linearly with the number of items.
template <typename Similarity>
std::vector<SimilarityEdge> CandidateEdges(
    const Vectors& v, int top_terms, size_t max_postings,
    CandidateLimits limits, double min_weight,
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
  std::vector<std::vector<int64_t>> keys(n);
  ParallelFor(n, threads, 256, [&](size_t begin, size_t end, int) {
    for (size_t i = begin; i < end; ++i) {
      for (int t : TopTerms(v.text[i], top_terms)) keys[i].push_back(t);
      for (int t : TopTerms(v.entity[i], top_terms)) keys[i].push_back(-1 - t);
    }
  });
  // Postings hold visit ranks, ascending, one list per distinct key. Each
  // item's keys are then replaced by (list << 32 | position of its own
  // rank in the list): the earlier items of a list are the ones before it,
  // found without a lookup or a search.
  std::vector<std::vector<uint32_t>> postings;
  {
    absl::flat_hash_map<int64_t, uint32_t> list_of;
    for (uint32_t r = 0; r < n; ++r) {
      for (int64_t& key : keys[order[r]]) {
        const auto [it, fresh] =
            list_of.try_emplace(key, static_cast<uint32_t>(postings.size()));
        if (fresh) postings.emplace_back();
        std::vector<uint32_t>& list = postings[it->second];
        key = static_cast<int64_t>(uint64_t{it->second} << 32 | list.size());
        list.push_back(r);
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
      for (int64_t key : keys[i]) {
        const std::vector<uint32_t>& list =
            postings[static_cast<uint64_t>(key) >> 32];
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
        for (auto e = first; e != last; ++e) {
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

// The members of each group, in row order: group g's rows are
// members[first[g]] .. members[first[g + 1] - 1].
struct GroupMembers {
  std::vector<uint64_t> first;
  std::vector<uint32_t> members;

  GroupMembers(const std::vector<uint32_t>& group_of, uint32_t groups)
      : first(groups + 1, 0), members(group_of.size()) {
    for (uint32_t g : group_of) ++first[g + 1];
    for (uint32_t g = 0; g < groups; ++g) first[g + 1] += first[g];
    std::vector<uint64_t> next(first.begin(), first.end() - 1);
    for (uint32_t r = 0; r < group_of.size(); ++r) {
      members[next[group_of[r]]++] = r;
    }
  }
  uint32_t groups() const { return static_cast<uint32_t>(first.size() - 1); }
  absl::Span<const uint32_t> of(uint32_t g) const {
    return absl::MakeConstSpan(members).subspan(first[g],
                                                first[g + 1] - first[g]);
  }
};

// L2-normalised sums of the rows of each group, as rows of a new matrix.
// The sums run over a group's rows in order, with Eigen sparse vectors.
TermMatrix Centroids(const Rows& rows, const GroupMembers& group, int threads) {
  const uint32_t groups = group.groups();
  const Eigen::Index dimension = std::max<uint32_t>(rows.dimension(), 1);
  TermMatrix out;
  out.dimension = rows.dimension();
  out.offsets.assign(groups + 1, 0);
  out.values.resize(1);
  // In pieces, so that only one piece of Eigen vectors is alive at a time.
  constexpr size_t kPiece = 1 << 14;
  std::vector<SparseVec> sums(std::min<size_t>(groups, kPiece));
  for (uint32_t start = 0; start < groups; start += kPiece) {
    const uint32_t stop =
        static_cast<uint32_t>(std::min<size_t>(groups, start + kPiece));
    ParallelFor(stop - start, threads, 64, [&](size_t begin, size_t end, int) {
      SparseVec member(dimension);
      for (size_t g = start + begin; g < start + end; ++g) {
        SparseVec sum(dimension);
        for (uint32_t m : group.of(static_cast<uint32_t>(g))) {
          const Row row = rows[m];
          member.setZero();
          member.reserve(static_cast<Eigen::Index>(row.indices.size()));
          for (size_t t = 0; t < row.indices.size(); ++t) {
            member.insert(row.indices[t]) = row.values[t];
          }
          sum += member;
        }
        const float norm = sum.norm();
        if (norm > 0) sum /= norm;
        sums[g - start] = std::move(sum);
      }
    });
    for (uint32_t g = start; g < stop; ++g) {
      for (SparseVec::InnerIterator it(sums[g - start]); it; ++it) {
        out.indices.push_back(static_cast<uint32_t>(it.index()));
        out.values[0].push_back(it.value());
      }
      out.offsets[g + 1] = out.indices.size();
      sums[g - start] = SparseVec();
    }
  }
  return out;
}

// Renumbers cluster ids densely in order of first appearance.
uint32_t Densify(std::vector<uint32_t>& ids) {
  absl::flat_hash_map<uint32_t, uint32_t> dense;
  for (uint32_t& id : ids) {
    id = dense.try_emplace(id, static_cast<uint32_t>(dense.size()))
             .first->second;
  }
  return static_cast<uint32_t>(dense.size());
}

}  // namespace

absl::StatusOr<Clustering> ClusterArticles(
    absl::Span<const Article> articles,
    absl::Span<const ArticleFeatures> features, const ClusterOptions& options,
    DocumentFrequencies* df_out) {
  if (articles.size() != features.size()) {
    return absl::InvalidArgumentError("articles and features differ in size");
  }
  CorpusFeatures corpus;
  InternedTerms interned;
  for (const ArticleFeatures& f : features) {
    InternTerms(f, *corpus.term_dictionary, *corpus.entity_dictionary,
                &interned);
    if (auto s = AppendDocument(f.shingles, interned, &corpus); !s.ok()) {
      return s;
    }
  }
  std::vector<std::optional<absl::Time>> times;
  times.reserve(articles.size());
  for (const Article& a : articles) times.push_back(a.published);
  return ClusterCorpus(times, &corpus, options, df_out);
}

absl::StatusOr<Clustering> ClusterCorpus(
    absl::Span<const std::optional<absl::Time>> times, CorpusFeatures* corpus,
    const ClusterOptions& options, DocumentFrequencies* df_out) {
  if (times.size() != corpus->size() ||
      corpus->shingles->size() != corpus->size() ||
      corpus->entities.size() != corpus->size()) {
    return absl::InvalidArgumentError("times and features differ in size");
  }
  for (double v : {options.event_similarity, options.story_similarity}) {
    if (!(v > 0 && v <= 1)) {
      return absl::InvalidArgumentError(
          absl::StrCat("similarity thresholds must be in (0, 1], got ", v));
    }
  }
  if (!(options.idf_offset >= 0) || !(options.story_idf_offset >= 0)) {
    return absl::InvalidArgumentError("idf offsets must be >= 0");
  }
  if (options.candidate_terms < 1 || options.candidate_terms > 10000) {
    return absl::InvalidArgumentError(
        absl::StrCat("candidate_terms must be in [1, 10000], got ",
                     options.candidate_terms));
  }
  const size_t n = times.size();
  Clustering out;
  out.assignments.resize(n);
  if (n == 0) return out;

  StageClock clock(&out.stages);
  // 1. Copies. Only originals take part in event clustering, so a story
  //    reprinted many times does not outweigh the others.
  DedupOptions dedup_options = options.dedup;
  dedup_options.threads = options.threads;
  auto copies = FindCopyGroups(*corpus->shingles, times, dedup_options);
  if (!copies.ok()) return copies.status();
  const std::vector<uint32_t>& leader = copies->original_of;
  std::vector<uint32_t> originals;
  for (uint32_t i = 0; i < n; ++i) {
    if (leader[i] == i) originals.push_back(i);
  }

  clock.Mark("copies");
  // 2. Events over originals: average linkage over candidate pairs, with
  //    similarity = (1 - w) * text cosine + w * entity cosine, scaled by
  //    the publication-time factor.
  //    Storylines are bound by shared topic terms, so their vectors use
  //    their own idf offset (terms most articles share keep weight); both
  //    sets come from one pass over the terms. The term lists are not
  //    needed afterwards and are freed.
  const bool own_story_offset = options.story_idf_offset != options.idf_offset;
  std::vector<double> offsets = {options.idf_offset};
  if (own_story_offset) offsets.push_back(options.story_idf_offset);
  auto text_matrix =
      VectorizeRows(corpus->terms, originals, *corpus->term_dictionary, offsets,
                    options.background_df.get(), options.threads, df_out);
  if (!text_matrix.ok()) return text_matrix.status();
  corpus->terms.Clear();
  auto entity_matrix =
      VectorizeRows(corpus->entities, originals, *corpus->entity_dictionary,
                    offsets, nullptr, options.threads);
  if (!entity_matrix.ok()) return entity_matrix.status();
  corpus->entities.Clear();
  corpus->term_dictionary = std::make_unique<TermDictionary>();
  corpus->entity_dictionary = std::make_unique<TermDictionary>();
  const Vectors docs{Rows{&*text_matrix, 0}, Rows{&*entity_matrix, 0}};
  const size_t story_set = own_story_offset ? 1 : 0;
  const Vectors topic{Rows{&*text_matrix, story_set},
                      Rows{&*entity_matrix, story_set}};
  std::vector<std::optional<absl::Time>> original_times;
  for (uint32_t d : originals) original_times.push_back(times[d]);
  const double w = options.entity_weight;
  auto doc_similarity = [&](uint32_t i, uint32_t j, const PairDots& dots) {
    const double time =
        TimeFactor(original_times[i], original_times[j], options);
    if (time == 0.0) return 0.0;
    return time * ((1 - w) * dots.Text() + w * dots.Entity());
  };
  const size_t max_postings = std::max<size_t>(50, originals.size() / 20);
  const CandidateLimits limits{
      static_cast<size_t>(std::max(1, options.max_candidates)),
      static_cast<size_t>(std::max(1, options.max_edges))};
  clock.Mark("event vectors");
  std::vector<SimilarityEdge> doc_edges = CandidateEdges(
      docs, options.candidate_terms, max_postings, limits, options.min_edge,
      &original_times, options.event_window, options.threads, doc_similarity);
  clock.Mark("event candidates");
  const std::vector<uint32_t> event_root = AverageLinkage(
      static_cast<uint32_t>(originals.size()), std::move(doc_edges),
      options.event_similarity, options.cohesion_ratio, &original_times,
      options.event_window, options.threads);
  clock.Mark("event linkage");
  std::vector<uint32_t> event_of = event_root;
  const uint32_t num_raw_events = Densify(event_of);

  // 3. Storylines over event centroids, the same way with their own
  //    threshold and no time limit.
  const GroupMembers event_members(event_of, num_raw_events);
  const TermMatrix event_text =
      Centroids(topic.text, event_members, options.threads);
  const TermMatrix event_entity =
      Centroids(topic.entity, event_members, options.threads);
  const Vectors events{Rows{&event_text, 0}, Rows{&event_entity, 0}};
  const double ws = options.story_entity_weight;
  auto event_similarity = [&](uint32_t, uint32_t, const PairDots& dots) {
    return (1 - ws) * dots.Text() + ws * dots.Entity();
  };
  // Representative of each event: the original closest to its centroid
  // (a single member is its own; ties: the earlier member). Events are
  // independent: a range of them per worker, each with its own scratch.
  // Then the articles' vectors are no longer needed.
  std::vector<uint32_t> representative(num_raw_events);
  {
    std::vector<ScatteredDot> centroids(ResolveThreads(options.threads));
    ParallelFor(num_raw_events, options.threads, 1024,
                [&](size_t begin, size_t end, int worker) {
                  ScatteredDot& centroid = centroids[worker];
                  for (size_t e = begin; e < end; ++e) {
                    const auto members =
                        event_members.of(static_cast<uint32_t>(e));
                    representative[e] = originals[members[0]];
                    if (members.size() == 1) continue;
                    centroid.Set(events.text[e], events.text.dimension());
                    double best = -1.0;
                    for (uint32_t k : members) {
                      const double similarity = centroid.Dot(topic.text[k]);
                      if (similarity > best) {
                        best = similarity;
                        representative[e] = originals[k];
                      }
                    }
                  }
                });
  }
  *text_matrix = TermMatrix();
  *entity_matrix = TermMatrix();
  clock.Mark("storyline vectors");
  std::vector<SimilarityEdge> event_edges = CandidateEdges(
      events, options.candidate_terms,
      std::max<size_t>(50, num_raw_events / 20), limits, options.min_edge,
      nullptr, absl::InfiniteDuration(), options.threads, event_similarity);
  clock.Mark("storyline candidates");
  std::vector<uint32_t> story_of = AverageLinkage(
      num_raw_events, std::move(event_edges), options.story_similarity, 0,
      nullptr, absl::InfiniteDuration(), options.threads);
  clock.Mark("storyline linkage");

  // 4. Per-article assignment, then dense ids in input order.
  std::vector<uint32_t> dup(n), event(n), story(n);
  std::vector<uint32_t> original_slot(n, 0);
  for (uint32_t k = 0; k < originals.size(); ++k)
    original_slot[originals[k]] = k;
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t slot = original_slot[leader[i]];
    dup[i] = leader[i];
    event[i] = event_of[slot];
    story[i] = story_of[event[i]];
    out.assignments[i].original = leader[i] == i;
  }
  std::vector<uint32_t> raw_event = event;
  out.num_dups = Densify(dup);
  out.num_events = Densify(event);
  out.num_stories = Densify(story);
  out.event_representative.assign(out.num_events, 0);
  for (uint32_t i = 0; i < n; ++i) {
    out.assignments[i].dup = dup[i];
    out.assignments[i].event = event[i];
    out.assignments[i].story = story[i];
    out.event_representative[event[i]] = representative[raw_event[i]];
  }
  clock.Mark("assignment");
  return out;
}

}  // namespace storycluster
