// Stages 4-6 of the pipeline: candidates, similarity and clustering into
// three nested levels: copy groups inside events inside storylines.
//
// Copies come from dedup.h (MinHash + LSH + verification); events from
// average linkage over candidate pairs scored by the pair model
// (pair_model.h); storylines from average linkage over the TF-IDF cosines
// of event centroids. Average linkage compares whole clusters, so a chain
// A~B~C does not merge A and C unless the clusters are similar on average.
#ifndef STORYCLUSTER_CLUSTER_H_
#define STORYCLUSTER_CLUSTER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "storycluster/article.h"
#include "storycluster/corpus.h"
#include "storycluster/dedup.h"
#include "storycluster/features.h"
#include "storycluster/ingest.h"
#include "storycluster/pair_model.h"
#include "storycluster/stage_time.h"
#include "storycluster/tfidf.h"

namespace storycluster {

struct ClusterOptions {
  // Copy detection (dedup.h): threshold, MinHash and LSH settings.
  DedupOptions dedup;
  // How likely two articles report one event (pair_model.h): each
  // candidate pair's text and entity cosines, time gap (or that it is
  // unknown) and text lengths, through a logistic regression. Null: the
  // model shipped with the library (PairModel::Default()).
  std::shared_ptr<const PairModel> pair_model;
  // Called for every candidate pair of originals with its evidence, before
  // the model scores it (article indices in input order, a < b is not
  // promised). For collecting training pairs (storycluster train). Called
  // from worker threads, possibly at once: it must be thread-safe.
  std::function<void(uint32_t a, uint32_t b, const PairEvidence&)>
      pair_observer;
  // Average-linkage pair probability at or above which two clusters of
  // articles merge into one event (pairs that are not candidates count as
  // 0). Default: 0.1, the median of the thresholds scripts/loso.py chooses
  // with one dev set left out (docs/pair_model.md). REQUIRES: in (0, 1].
  double event_similarity = 0.1;
  // Two multi-article clusters merge only if their average-linkage
  // similarity is at least this times the smaller of their internal
  // cohesions (0 disables). Default: 0.6.
  double cohesion_ratio = 0.6;
  // Shared nearest neighbours: each article's neighbour set is itself and
  // its `shared_neighbours` most similar articles, and the similarity of
  // two articles is multiplied by shared_neighbour_floor + (1 - floor) *
  // the overlap (Jaccard) of their neighbour sets, before the events are
  // formed. Articles of one event share their nearest neighbours; similar
  // articles of two events of the same kind do not. 0 disables.
  // Defaults: 10 and 0.5. REQUIRES: 0 <= shared_neighbours <= 1000,
  // shared_neighbour_floor in [0, 1].
  int shared_neighbours = 10;
  double shared_neighbour_floor = 0.5;
  // Articles further apart than this are not compared, and no event spans
  // more than this between its earliest and latest dated article. Within
  // it, time is evidence for the pair model, not a wall. Default: none
  // (infinite).
  absl::Duration event_window = absl::InfiniteDuration();
  // Average-linkage similarity of event centroids to share a storyline.
  // Default: 0.15. REQUIRES: in (0, 1].
  double story_similarity = 0.15;
  // Share of the entity channel between events. Default: 0.5.
  double story_entity_weight = 0.5;
  // Term weight = (1 + ln tf) * (ln((1 + N) / (1 + df)) + idf_offset).
  // 1 is scikit-learn's smooth idf; a small offset lets terms that nearly
  // every article shares fade out, which matters for small inputs (on five
  // articles about North Korea, "north" and "korea" say nothing).
  // Default: 0.2. REQUIRES: >= 0.
  double idf_offset = 0.2;
  // The same for the vectors that link events into storylines: shared
  // topic terms should bind a storyline. Default: 1.0.
  double story_idf_offset = 1.0;
  // Content-term document frequencies of an earlier corpus, added to this
  // corpus's own counts (tfidf.h). Makes small inputs weigh terms like a
  // large archive. Entity terms use this corpus's counts. Default: none.
  std::shared_ptr<const DocumentFrequencies> background_df;
  // Strongest terms per item (per channel) used to find candidate pairs.
  // Default: 12. REQUIRES: 1 <= candidate_terms <= 10000.
  int candidate_terms = 12;
  // Candidate pairs below this similarity are not kept as graph edges (they
  // count as 0 in the averages). Default: 0.02.
  double min_edge = 0.02;
  // Bounds that keep the work per item constant on large inputs: each item
  // is compared with at most `max_candidates` earlier items (those sharing
  // the most strong terms, then the latest), both levels. An article keeps
  // at most `max_edges` edges to them (the strongest), an event
  // `story_max_edges`. Average linkage counts a missing edge as 0, so an
  // event of many short items (headlines: one term in common is a strong
  // hint) needs more edges per member than a storyline of a few event
  // centroids. Defaults: 100, 80 and 40.
  int max_candidates = 100;
  int max_edges = 80;
  int story_max_edges = 40;
  // Threads for copy detection and candidate similarities (0: all cores).
  // The result is the same for any value. Default: 0.
  int threads = 0;
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
  std::vector<StageTime> stages;               // in pipeline order, for reports
};

// Clusters `articles` given their features (same length and order).
// Deterministic: the same input and options give the same result.
// When `df_out` is not null, it receives the content-term document
// frequencies of the clustered originals (to save with
// DocumentFrequencies::Save and load later as `background_df`).
absl::StatusOr<Clustering> ClusterArticles(
    absl::Span<const Article> articles,
    absl::Span<const ArticleFeatures> features, const ClusterOptions& options,
    DocumentFrequencies* df_out = nullptr);

// The same for a corpus in compact form (corpus.h) with the publication
// time of each document. Empties the corpus's shingle store once copies
// are found, and its term lists and dictionaries once they are turned into
// vectors, so that large inputs need not hold both.
absl::StatusOr<Clustering> ClusterCorpus(
    absl::Span<const std::optional<absl::Time>> times, CorpusFeatures* corpus,
    const ClusterOptions& options, DocumentFrequencies* df_out = nullptr);

// Progress of a long stage: `done` of `total` items; `total` is 0 while
// it is not known yet (the first pass of ClusterPaths, stage "reading").
// Called from the calling thread only, at most every few hundred items.
using ProgressFn =
    std::function<void(std::string_view stage, size_t done, size_t total)>;

struct PipelineOptions {
  FeatureOptions features;
  ClusterOptions cluster;
  // Called during feature extraction (the longest stage). Default: none.
  ProgressFn progress;
  // Threads for every stage (0: all cores); overrides cluster.threads and
  // cluster.dedup.threads. The result is the same for any value. Default: 0.
  int threads = 0;
  // ClusterPaths keeps the shingle sets (about 3 KB per article) in a
  // temporary file in this directory, removed when the run ends; empty
  // keeps them in memory. Default: empty.
  std::string temp_directory;
  // With a temp_directory: the sets stay in memory until they take more
  // than this many bytes (then they all move to the file), so small and
  // medium runs write no file. 0: straight to the file. Default: 512 MiB
  // (about 170,000 articles).
  size_t shingle_memory_bytes = size_t{512} << 20;
};

// Features of every article (same order), on `threads` threads (0: all
// cores); the boilerplate filter is learned from `articles` first. The
// result is the same for any thread count.
absl::StatusOr<std::vector<ArticleFeatures>> ExtractFeatures(
    absl::Span<const Article> articles, const FeatureOptions& options,
    int threads = 0, const ProgressFn& progress = nullptr);

// The whole pipeline after ingest: features, then clustering.
absl::StatusOr<Clustering> RunPipeline(absl::Span<const Article> articles,
                                       const PipelineOptions& options = {},
                                       DocumentFrequencies* df_out = nullptr);

// What ClusterPaths read and found: the ingest accounting with every
// accepted article's metadata (id, title, time, source, url, origin; the
// text is not kept), and the clustering of those articles.
struct PathsClustering {
  IngestResult ingest;
  Clustering clustering;
};

// The whole pipeline over files and directories without holding their
// texts: the inputs are read twice, first to check the records, keep each
// article's metadata and learn the boilerplate filter, then to compute the
// features into compact storage (corpus.h). Memory grows with the number
// of articles (docs/performance.md gives the bytes per article), not with
// the size of the text. The result equals IngestPaths + RunPipeline.
// REQUIRES: no path is "-" (standard input cannot be read twice), and the
// inputs do not change during the run (checked: an error says so).
absl::StatusOr<PathsClustering> ClusterPaths(
    const std::vector<std::string>& paths, const IngestOptions& ingest,
    const PipelineOptions& options = {}, DocumentFrequencies* df_out = nullptr);

// What FindCopyGroupsInPaths read and found: the ingest accounting with
// the accepted articles' metadata (as in PathsClustering), their copy
// groups, and the time and memory of its stages (ingest, features, copies).
struct PathsCopyGroups {
  IngestResult ingest;
  CopyGroups groups;
  std::vector<StageTime> stages;
};

// Copy detection only (options.cluster.dedup, on options.threads threads;
// shingles only, no TF-IDF terms) over files and directories, in the same
// two passes as ClusterPaths and without holding the texts. The groups
// equal those of IngestPaths + ExtractFeatures + FindCopyGroups.
// REQUIRES: as ClusterPaths.
absl::StatusOr<PathsCopyGroups> FindCopyGroupsInPaths(
    const std::vector<std::string>& paths, const IngestOptions& ingest,
    const PipelineOptions& options = {});

// One labeled corpus for TrainPairModel: its inputs (as for ClusterPaths)
// and its gold labels file (id, event, ...; eval.h ReadGoldLabels).
struct TrainingCorpus {
  std::vector<std::string> inputs;
  std::string gold;
  // What the gold file's clusters are. Events: every labeled pair is a
  // sample (1 when both are in one event). Storylines (a year of launches
  // as one cluster): two articles of different storylines are two events,
  // a negative sample; two of one storyline may or may not be one event,
  // so those pairs are left out. Read from the `event` column, or the
  // `story` column for storylines.
  enum class Labels { kEvents, kStorylines };
  Labels labels = Labels::kEvents;
};

// What TrainPairModel used, per corpus in order.
struct TrainingReport {
  struct Corpus {
    size_t articles = 0;   // accepted
    size_t pairs = 0;      // candidate pairs with both ids labeled
    size_t same = 0;       // of which in one gold event (or storyline)
    size_t samples = 0;    // of which used (storylines: the pairs across)
    size_t unlabeled = 0;  // candidate pairs with an id missing from gold
  };
  std::vector<Corpus> corpora;
};

// Fits a pair model (PairModel::Fit, penalty `l2`) on the candidate pairs
// of each corpus, clustered with `options` (its pair model scores the
// candidates, which only decides which are kept as edges; every candidate
// becomes a sample). Each corpus weighs the same in the fit, whatever its
// number of pairs: a sample weighs 1 / the corpus's labeled pairs, so a
// corpus of storylines, whose pairs within a storyline are left out, weighs
// its share of negatives. Errors: no corpora, a corpus that cannot be read, a
// bad gold file, or a fit error.
absl::StatusOr<PairModel> TrainPairModel(
    const std::vector<TrainingCorpus>& corpora, const IngestOptions& ingest,
    const PipelineOptions& options, double l2 = 1e-3,
    TrainingReport* report = nullptr);

}  // namespace storycluster

#endif  // STORYCLUSTER_CLUSTER_H_
