// Baseline clustering: copy groups by exact shingle Jaccard, events by
// TF-IDF cosine within a time window, storylines by event-centroid cosine.
// All three use leader clustering over articles (or events) in time order:
// an item joins the most similar existing group whose representative (for
// copies) or centroid (for events and storylines) is similar enough, else it
// starts a new group. Items are only ever compared with a group as a whole,
// so a chain A~B~C with A and C unrelated cannot merge through B.
#include "storycluster/cluster.h"

#include <Eigen/SparseCore>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "lib/common/time_order.h"

namespace storycluster {
namespace {

using SparseVec = Eigen::SparseVector<float>;

// L2-normalized TF-IDF vectors (sublinear tf) for the given articles, with
// document frequencies counted over those articles only.
std::vector<SparseVec> TfidfVectors(absl::Span<const ArticleFeatures> features,
                                    const std::vector<uint32_t>& docs) {
  absl::flat_hash_map<std::string, uint32_t> vocabulary;
  std::vector<uint32_t> df;
  std::vector<std::vector<std::pair<uint32_t, float>>> raw(docs.size());
  for (size_t i = 0; i < docs.size(); ++i) {
    for (const WeightedTerm& t : features[docs[i]].terms) {
      auto [it, inserted] =
          vocabulary.try_emplace(t.term, static_cast<uint32_t>(df.size()));
      if (inserted) df.push_back(0);
      ++df[it->second];
      raw[i].emplace_back(it->second, t.weight);
    }
  }
  const double n = static_cast<double>(docs.size());
  const int dim = static_cast<int>(std::max<size_t>(df.size(), 1));
  std::vector<SparseVec> vectors;
  vectors.reserve(docs.size());
  for (auto& terms : raw) {
    std::sort(terms.begin(), terms.end());
    SparseVec v(dim);
    v.reserve(static_cast<Eigen::Index>(terms.size()));
    for (const auto& [id, tf] : terms) {
      const double idf = std::log((1.0 + n) / (1.0 + df[id])) + 1.0;
      v.insert(id) = static_cast<float>((1.0 + std::log(tf)) * idf);
    }
    const float norm = v.norm();
    if (norm > 0) v /= norm;
    vectors.push_back(std::move(v));
  }
  return vectors;
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

struct Group {
  SparseVec centroid;  // sum of member vectors
  float norm = 0;
  std::optional<absl::Time> first, last;
  std::vector<uint32_t> members;
};

// Leader clustering of unit vectors in the given order. `time_of(i)` gives
// an item's time; items further than `window` from a group's span are not
// compared with it (nullopt window: no limit). Returns group per item.
template <typename TimeOf>
std::vector<uint32_t> LeaderCluster(const std::vector<SparseVec>& vectors,
                                    const std::vector<uint32_t>& order,
                                    double threshold,
                                    std::optional<absl::Duration> window,
                                    int candidate_terms, TimeOf time_of,
                                    std::vector<Group>* groups_out) {
  std::vector<Group>& groups = *groups_out;
  std::vector<uint32_t> group_of(vectors.size());
  absl::flat_hash_map<int, std::vector<uint32_t>> index;  // term -> groups
  std::vector<uint32_t> candidates;
  for (uint32_t i : order) {
    const SparseVec& v = vectors[i];
    const std::vector<int> top = TopTerms(v, candidate_terms);
    candidates.clear();
    for (int term : top) {
      auto it = index.find(term);
      if (it != index.end()) {
        candidates.insert(candidates.end(), it->second.begin(),
                          it->second.end());
      }
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()),
                     candidates.end());
    const std::optional<absl::Time> t = time_of(i);
    int64_t best = -1;
    double best_similarity = 0;
    for (uint32_t g : candidates) {
      const Group& group = groups[g];
      if (window && t && group.first &&
          (*t < *group.first - *window || *t > *group.last + *window)) {
        continue;
      }
      const double similarity =
          group.norm > 0 ? v.dot(group.centroid) / group.norm : 0.0;
      if (similarity >= threshold && similarity > best_similarity) {
        best = g;
        best_similarity = similarity;
      }
    }
    if (best < 0) {
      best = static_cast<int64_t>(groups.size());
      groups.push_back(Group{SparseVec(v.size()), 0, {}, {}, {}});
    }
    Group& group = groups[best];
    group.centroid += v;
    group.norm = group.centroid.norm();
    group.members.push_back(i);
    if (t) {
      group.first = group.first ? std::min(*group.first, *t) : *t;
      group.last = group.last ? std::max(*group.last, *t) : *t;
    }
    group_of[i] = static_cast<uint32_t>(best);
    for (int term : top) {
      std::vector<uint32_t>& list = index[term];
      if (list.empty() || list.back() != best) {
        list.push_back(static_cast<uint32_t>(best));
      }
    }
  }
  return group_of;
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
    absl::Span<const ArticleFeatures> features, const ClusterOptions& options) {
  if (articles.size() != features.size()) {
    return absl::InvalidArgumentError("articles and features differ in size");
  }
  for (double v : {options.event_similarity, options.story_similarity}) {
    if (!(v > 0 && v <= 1)) {
      return absl::InvalidArgumentError(
          absl::StrCat("similarity thresholds must be in (0, 1], got ", v));
    }
  }
  const size_t n = articles.size();
  Clustering out;
  out.assignments.resize(n);
  if (n == 0) return out;

  // 1. Copies. Only originals take part in event clustering, so a story
  //    reprinted many times does not outweigh the others.
  std::vector<std::vector<uint64_t>> shingles;
  std::vector<std::optional<absl::Time>> times;
  shingles.reserve(n);
  times.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    shingles.push_back(features[i].shingles);
    times.push_back(articles[i].published);
  }
  auto copies = FindCopyGroups(shingles, times, options.dedup);
  if (!copies.ok()) return copies.status();
  const std::vector<uint32_t>& leader = copies->original_of;
  std::vector<uint32_t> originals;
  for (uint32_t i = 0; i < n; ++i) {
    if (leader[i] == i) originals.push_back(i);
  }

  // 2. Events over originals.
  const std::vector<SparseVec> vectors = TfidfVectors(features, originals);
  std::vector<std::optional<absl::Time>> original_times;
  for (uint32_t d : originals) original_times.push_back(articles[d].published);
  std::vector<Group> events;
  const std::vector<uint32_t> event_of = LeaderCluster(
      vectors, TimeOrder(original_times), options.event_similarity,
      options.event_window, options.candidate_terms,
      [&](uint32_t i) { return original_times[i]; }, &events);

  // 3. Storylines over event centroids, in order of event start.
  std::vector<SparseVec> event_vectors;
  std::vector<std::optional<absl::Time>> event_times;
  for (Group& e : events) {
    event_vectors.push_back(e.centroid / std::max(e.norm, 1e-12f));
    event_times.push_back(e.first);
  }
  std::vector<Group> stories;
  const std::vector<uint32_t> story_of = LeaderCluster(
      event_vectors, TimeOrder(event_times), options.story_similarity,
      std::nullopt, options.candidate_terms,
      [&](uint32_t i) { return event_times[i]; }, &stories);

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
  // Representative of each event: the member closest to its centroid.
  std::vector<std::pair<double, uint32_t>> best_member(events.size(),
                                                       {-1.0, 0});
  for (uint32_t k = 0; k < originals.size(); ++k) {
    const Group& e = events[event_of[k]];
    const double similarity =
        e.norm > 0 ? vectors[k].dot(e.centroid) / e.norm : 0.0;
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
  return out;
}

absl::StatusOr<Clustering> RunPipeline(absl::Span<const Article> articles,
                                       const PipelineOptions& options) {
  auto extractor = FeatureExtractor::Create(options.features, articles);
  if (!extractor.ok()) return extractor.status();
  std::vector<ArticleFeatures> features;
  features.reserve(articles.size());
  for (const Article& article : articles) {
    features.push_back((*extractor)->Extract(article));
  }
  return ClusterArticles(articles, features, options.cluster);
}

}  // namespace storycluster
