// Stages 4-6 of the pipeline: candidates, similarity and clustering into
// three nested levels: copy groups inside events inside storylines.
//
// Copies come from dedup.h (MinHash + LSH + verification); events from
// TF-IDF cosine with a time window; storylines from TF-IDF cosine of event
// centroids. Each level uses leader clustering in time order, so every
// member is compared with its group's representative and chains cannot
// merge unrelated items.
#ifndef STORYCLUSTER_CLUSTER_H_
#define STORYCLUSTER_CLUSTER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "storycluster/article.h"
#include "storycluster/dedup.h"
#include "storycluster/features.h"

namespace storycluster {

struct ClusterOptions {
  // Copy detection (dedup.h): threshold, MinHash and LSH settings.
  DedupOptions dedup;
  // TF-IDF cosine (article vs. event centroid) to join an event.
  // Default: 0.25. REQUIRES: in (0, 1].
  double event_similarity = 0.25;
  // Articles further apart in time than this never share an event (unknown
  // times are neutral). Default: 7 days.
  absl::Duration event_window = absl::Hours(24 * 7);
  // TF-IDF cosine (event centroid vs. storyline centroid) to join a
  // storyline. Default: 0.15. REQUIRES: in (0, 1].
  double story_similarity = 0.15;
  // Terms per article used to find event candidates. Default: 12.
  int candidate_terms = 12;
};

// The three cluster indices of one article. Indices are dense, numbered
// in input order of each cluster's first member.
struct Assignment {
  uint32_t dup = 0;
  uint32_t event = 0;
  uint32_t story = 0;
  bool original = false;  // earliest-published member of its copy group
};

struct Clustering {
  std::vector<Assignment> assignments;  // one per article, input order
  uint32_t num_dups = 0;
  uint32_t num_events = 0;
  uint32_t num_stories = 0;
  std::vector<uint32_t> event_representative;  // article index per event
};

// Clusters `articles` given their features (same length and order).
// Deterministic: the same input and options give the same result.
absl::StatusOr<Clustering> ClusterArticles(
    absl::Span<const Article> articles,
    absl::Span<const ArticleFeatures> features, const ClusterOptions& options);

struct PipelineOptions {
  FeatureOptions features;
  ClusterOptions cluster;
};

// The whole pipeline after ingest: features, then clustering.
absl::StatusOr<Clustering> RunPipeline(absl::Span<const Article> articles,
                                       const PipelineOptions& options = {});

}  // namespace storycluster

#endif  // STORYCLUSTER_CLUSTER_H_
