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
#include <atomic>
#include <cmath>
#include <numeric>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "lib/cluster/hac.h"
#include "lib/common/parallel.h"
#include "lib/common/time_order.h"

namespace storycluster {
namespace {

using SparseVec = Eigen::SparseVector<float>;

SparseVec ToEigen(const SparseTermVector& v, uint32_t dimension) {
  SparseVec out(std::max<uint32_t>(dimension, 1));
  out.reserve(static_cast<Eigen::Index>(v.indices.size()));
  for (size_t i = 0; i < v.indices.size(); ++i) {
    out.insert(v.indices[i]) = v.values[i];
  }
  return out;
}

// L2-normalised TF-IDF vectors of one channel for the given articles, one
// set per idf offset (see tfidf.h). Document frequencies are counted over
// those articles, plus `background` when given; the counts used are stored
// in `*df_out`.
std::vector<std::vector<SparseVec>> TfidfVectors(
    absl::Span<const ArticleFeatures> features,
    const std::vector<uint32_t>& docs,
    std::vector<WeightedTerm> ArticleFeatures::*channel,
    absl::Span<const double> idf_offsets, int threads,
    const DocumentFrequencies* background = nullptr,
    DocumentFrequencies* df_out = nullptr) {
  std::vector<absl::Span<const WeightedTerm>> terms;
  terms.reserve(docs.size());
  for (uint32_t d : docs) terms.push_back(features[d].*channel);
  auto corpus =
      VectorizeCorpus(terms, idf_offsets, background, threads, df_out);
  // Offsets are checked by ClusterArticles.
  std::vector<std::vector<SparseVec>> out(idf_offsets.size(),
                                          std::vector<SparseVec>(docs.size()));
  for (size_t k = 0; k < idf_offsets.size(); ++k) {
    ParallelFor(docs.size(), threads, 1024, [&](size_t begin, size_t end, int) {
      for (size_t d = begin; d < end; ++d) {
        out[k][d] = ToEigen(corpus->vectors[k][d], corpus->dimension);
      }
    });
  }
  return out;
}

// The `k` highest-weighted term ids of `v` (ties by id).
std::vector<int> TopTerms(const SparseVec& v, int k) {
  std::vector<std::pair<float, int>> terms;
  for (SparseVec::InnerIterator it(v); it; ++it) {
    terms.emplace_back(-it.value(), static_cast<int>(it.index()));
  }
  const size_t keep = std::min(terms.size(), static_cast<size_t>(k));
  std::partial_sort(terms.begin(), terms.begin() + keep, terms.end());
  std::vector<int> out;
  for (size_t i = 0; i < keep; ++i) out.push_back(terms[i].second);
  return out;
}

// Two channels per item: content terms and entity-like terms.
struct Vectors {
  std::vector<SparseVec> text, entity;
};

SparseVec Normalized(SparseVec v) {
  const float norm = v.norm();
  if (norm > 0) v /= norm;
  return v;
}

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
// the other vector's indices in ascending order (adding exact zeros where
// the first has none), so it equals SparseVector::dot bit for bit.
class ScatteredDot {
 public:
  void Set(const SparseVec& v) {
    for (SparseVec::InnerIterator it(*current_); it; ++it) {
      dense_[it.index()] = 0.0f;
    }
    if (dense_.size() < static_cast<size_t>(v.size())) dense_.resize(v.size());
    for (SparseVec::InnerIterator it(v); it; ++it) {
      dense_[it.index()] = it.value();
    }
    current_ = &v;
  }
  float Dot(const SparseVec& other) const {
    float sum = 0.0f;
    for (SparseVec::InnerIterator it(other); it; ++it) {
      sum += dense_[it.index()] * it.value();
    }
    return sum;
  }

 private:
  static inline const SparseVec kEmpty{1};
  const SparseVec* current_ = &kEmpty;
  std::vector<float> dense_;
};

// The two channel cosines of the item being visited with a candidate.
struct PairDots {
  const ScatteredDot& text_of_item;
  const ScatteredDot& entity_of_item;
  const SparseVec& text;    // the candidate's
  const SparseVec& entity;  // the candidate's
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
  // Postings hold visit ranks, ascending.
  absl::flat_hash_map<int64_t, std::vector<uint32_t>> postings;
  for (uint32_t r = 0; r < n; ++r) {
    for (int64_t key : keys[order[r]]) postings[key].push_back(r);
  }
  constexpr size_t kGrain = 512;
  std::vector<std::vector<SimilarityEdge>> chunk_edges((n + kGrain - 1) /
                                                       kGrain);
  ParallelFor(n, threads, kGrain, [&](size_t begin, size_t end, int) {
    std::vector<uint32_t> candidates;
    std::vector<std::pair<uint32_t, uint32_t>> shared;  // (terms, rank)
    std::vector<std::pair<double, uint32_t>> scored;    // (weight, rank)
    std::vector<SimilarityEdge>& edges = chunk_edges[begin / kGrain];
    ScatteredDot text_of_item, entity_of_item;
    for (size_t r = begin; r < end; ++r) {
      const uint32_t i = order[r];
      candidates.clear();
      for (int64_t key : keys[i]) {
        const std::vector<uint32_t>& list = postings.find(key)->second;
        if (list.size() > max_postings) continue;
        // Earlier items only, and (for a dated item) only those within the
        // window: ranks below `known` are in time order. At most the
        // `limits.candidates` latest of them per term.
        auto last = std::lower_bound(list.begin(), list.end(), r);
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
        candidates.insert(candidates.end(), first, last);
      }
      // Rank candidates by how many strong terms they share (then by
      // recency) and keep the best `limits.candidates`.
      std::sort(candidates.begin(), candidates.end());
      shared.clear();
      for (size_t c = 0; c < candidates.size();) {
        size_t d = c;
        while (d < candidates.size() && candidates[d] == candidates[c]) ++d;
        shared.push_back({static_cast<uint32_t>(d - c), candidates[c]});
        c = d;
      }
      KeepLargest(limits.candidates, &shared);
      scored.clear();
      if (!shared.empty()) {
        text_of_item.Set(v.text[i]);
        entity_of_item.Set(v.entity[i]);
      }
      for (const auto& [count, e] : shared) {
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

// Records the wall time since the previous mark as one stage.
class StageClock {
 public:
  explicit StageClock(std::vector<StageTime>* out) : out_(out) {}
  void Mark(std::string stage) {
    const absl::Time now = absl::Now();
    out_->push_back({std::move(stage), absl::ToDoubleSeconds(now - last_)});
    last_ = now;
  }

 private:
  std::vector<StageTime>* out_;
  absl::Time last_ = absl::Now();
};

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
  for (double v : {options.event_similarity, options.story_similarity}) {
    if (!(v > 0 && v <= 1)) {
      return absl::InvalidArgumentError(
          absl::StrCat("similarity thresholds must be in (0, 1], got ", v));
    }
  }
  if (!(options.idf_offset >= 0) || !(options.story_idf_offset >= 0)) {
    return absl::InvalidArgumentError("idf offsets must be >= 0");
  }
  const size_t n = articles.size();
  Clustering out;
  out.assignments.resize(n);
  if (n == 0) return out;

  StageClock clock(&out.stages);
  // 1. Copies. Only originals take part in event clustering, so a story
  //    reprinted many times does not outweigh the others.
  std::vector<std::optional<absl::Time>> times;
  times.reserve(n);
  for (const Article& a : articles) times.push_back(a.published);
  DedupOptions dedup_options = options.dedup;
  dedup_options.threads = options.threads;
  auto copies = FindCopyGroups(features, times, dedup_options);
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
  //    sets come from one pass over the terms.
  const bool own_story_offset = options.story_idf_offset != options.idf_offset;
  std::vector<double> offsets = {options.idf_offset};
  if (own_story_offset) offsets.push_back(options.story_idf_offset);
  auto text =
      TfidfVectors(features, originals, &ArticleFeatures::terms, offsets,
                   options.threads, options.background_df.get(), df_out);
  auto entity = TfidfVectors(features, originals, &ArticleFeatures::entities,
                             offsets, options.threads);
  Vectors docs{std::move(text[0]), std::move(entity[0])};
  Vectors story_docs;
  if (own_story_offset) {
    story_docs = Vectors{std::move(text[1]), std::move(entity[1])};
  }
  std::vector<std::optional<absl::Time>> original_times;
  for (uint32_t d : originals) original_times.push_back(articles[d].published);
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
  const std::vector<SimilarityEdge> doc_edges = CandidateEdges(
      docs, options.candidate_terms, max_postings, limits, options.min_edge,
      &original_times, options.event_window, options.threads, doc_similarity);
  clock.Mark("event candidates");
  const std::vector<uint32_t> event_root =
      AverageLinkage(static_cast<uint32_t>(originals.size()), doc_edges,
                     options.event_similarity, options.cohesion_ratio,
                     &original_times, options.event_window, options.threads);
  clock.Mark("event linkage");
  std::vector<uint32_t> event_of = event_root;
  const uint32_t num_raw_events = Densify(event_of);

  // 3. Storylines over event centroids, the same way with their own
  //    threshold and no time limit.
  const Vectors& topic = own_story_offset ? story_docs : docs;
  Vectors events;
  events.text.assign(num_raw_events,
                     SparseVec(topic.text.empty() ? 1 : topic.text[0].size()));
  events.entity.assign(
      num_raw_events,
      SparseVec(topic.entity.empty() ? 1 : topic.entity[0].size()));
  for (uint32_t k = 0; k < originals.size(); ++k) {
    events.text[event_of[k]] += topic.text[k];
    events.entity[event_of[k]] += topic.entity[k];
  }
  for (uint32_t e = 0; e < num_raw_events; ++e) {
    events.text[e] = Normalized(events.text[e]);
    events.entity[e] = Normalized(events.entity[e]);
  }
  const double ws = options.story_entity_weight;
  auto event_similarity = [&](uint32_t, uint32_t, const PairDots& dots) {
    return (1 - ws) * dots.Text() + ws * dots.Entity();
  };
  clock.Mark("storyline vectors");
  const std::vector<SimilarityEdge> event_edges = CandidateEdges(
      events, options.candidate_terms,
      std::max<size_t>(50, num_raw_events / 20), limits, options.min_edge,
      nullptr, absl::InfiniteDuration(), options.threads, event_similarity);
  clock.Mark("storyline candidates");
  std::vector<uint32_t> story_of =
      AverageLinkage(num_raw_events, event_edges, options.story_similarity, 0,
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
  // Representative of each event: the original closest to its centroid.
  std::vector<std::pair<double, uint32_t>> best_member(num_raw_events,
                                                       {-1.0, 0});
  for (uint32_t k = 0; k < originals.size(); ++k) {
    const double similarity = topic.text[k].dot(events.text[event_of[k]]);
    auto& best = best_member[event_of[k]];
    if (similarity > best.first) best = {similarity, originals[k]};
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
    out.event_representative[event[i]] = best_member[raw_event[i]].second;
  }
  clock.Mark("assignment");
  return out;
}

absl::StatusOr<std::vector<ArticleFeatures>> ExtractFeatures(
    absl::Span<const Article> articles, const FeatureOptions& options,
    int threads, const ProgressFn& progress) {
  const int workers = ResolveThreads(threads);
  auto filter =
      BoilerplateFilter::Create(options.boilerplate, articles, workers);
  if (!filter.ok()) return filter.status();
  auto extractor = FeatureExtractor::FromFilter(
      options, std::shared_ptr<const BoilerplateFilter>(std::move(*filter)));
  if (!extractor.ok()) return extractor.status();
  std::vector<std::unique_ptr<FeatureExtractor>> extractors;
  extractors.push_back(std::move(extractor).value());
  for (int w = 1; w < workers; ++w) {
    auto clone = extractors.front()->Clone();
    if (!clone.ok()) return clone.status();
    extractors.push_back(std::move(clone).value());
  }
  std::vector<ArticleFeatures> features(articles.size());
  std::atomic<size_t> done{0};
  ParallelFor(articles.size(), workers, 64,
              [&](size_t begin, size_t end, int worker) {
                for (size_t i = begin; i < end; ++i) {
                  features[i] = extractors[worker]->Extract(articles[i]);
                }
                const size_t now = done.fetch_add(end - begin) + end - begin;
                if (progress && worker == 0) {
                  progress("features", now, articles.size());
                }
              });
  if (progress) progress("features", articles.size(), articles.size());
  return features;
}

absl::StatusOr<Clustering> RunPipeline(absl::Span<const Article> articles,
                                       const PipelineOptions& options,
                                       DocumentFrequencies* df_out) {
  const absl::Time start = absl::Now();
  auto features = ExtractFeatures(articles, options.features, options.threads,
                                  options.progress);
  if (!features.ok()) return features.status();
  const double feature_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  ClusterOptions cluster = options.cluster;
  cluster.threads = options.threads;
  auto clustering = ClusterArticles(articles, *features, cluster, df_out);
  if (clustering.ok()) {
    clustering->stages.insert(clustering->stages.begin(),
                              {"features", feature_seconds});
  }
  return clustering;
}

}  // namespace storycluster
