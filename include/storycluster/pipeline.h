// Stage 7 of the pipeline: the stages in order. ClusterArticles and
// ClusterCorpus run copies (copies.h), events (events.h) and storylines
// (storylines.h) over extracted features; RunPipeline adds feature
// extraction; ClusterPaths and FindCopyGroupsInPaths stream files without
// holding their texts; TrainPairModel fits the event pair model on labeled
// corpora. Every run reports the time and memory of its stages.
#ifndef STORYCLUSTER_PIPELINE_H_
#define STORYCLUSTER_PIPELINE_H_

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
#include "storycluster/copies.h"
#include "storycluster/events.h"
#include "storycluster/features.h"
#include "storycluster/ingest.h"
#include "storycluster/storylines.h"

namespace storycluster {

// Wall time, CPU time and memory of one stage of a run (Clustering::stages,
// PathsCopyGroups::stages; `--stage-times` prints them).
struct StageTime {
  std::string stage;  // e.g. "features", "copies", "event candidates"
  double seconds = 0;
  // CPU time (user + system) of the whole process during the stage, all
  // threads together: cpu_seconds / seconds is how many cores it kept busy
  // on average. 0 when not measured.
  double cpu_seconds = 0;
  // Resident memory of the process when the stage ended, and its peak so
  // far (Linux; 0 elsewhere).
  int64_t rss_bytes = 0;
  int64_t peak_rss_bytes = 0;
};
// A StageTime for a stage that took `seconds`, with the memory figures
// read now.
StageTime MeasureStage(std::string stage, double seconds,
                       double cpu_seconds = 0);
// User + system CPU time of the process so far, all threads (getrusage).
double ProcessCpuSeconds();

// Options of the stages after features, in pipeline order.
struct ClusterOptions {
  // Stage 4 (copies.h): threshold, MinHash and LSH settings.
  CopyOptions copies;
  // Stage 5 (events.h).
  EventOptions events;
  // Stage 6 (storylines.h).
  StorylineOptions storylines;

  // Both levels, events and storylines: their term vectors and how their
  // candidate pairs are found. Parameters that affect the result:

  // Content-term document frequencies of an earlier corpus, added to this
  // corpus's own counts (features.h). Makes small inputs weigh terms like a
  // large archive. Entity terms use this corpus's counts. Default: none.
  std::shared_ptr<const DocumentFrequencies> background_df;
  // Strongest terms per item (per channel) used to find candidate pairs.
  // Default: 12. REQUIRES: 1 <= candidate_terms <= 10000.
  int candidate_terms = 12;
  // Candidate pairs below this similarity are not kept as graph edges (they
  // count as 0 in the averages). Default: 0.02.
  double min_edge = 0.02;

  // Parameters that affect performance only:

  // Each item is compared with at most this many earlier items (those
  // sharing the most strong terms, then the latest), at both levels; it
  // keeps the work per item constant on large inputs, and changes the
  // result only where it is reached. Default: 100.
  int max_candidates = 100;
  // Threads for copy detection and candidate similarities (0: all cores).
  // The result is the same for any value. Default: 0.
  int threads = 0;
};

// The three cluster indices of one article. Indices are dense, numbered
// in input order of each cluster's first member.
struct Assignment {
  uint32_t copy_group = 0;  // the TSV and JSON column `dup` (docs/formats.md)
  uint32_t event = 0;
  uint32_t story = 0;
  bool original = false;  // earliest-published member of its copy group
};

struct Clustering {
  std::vector<Assignment> assignments;  // one per article, input order
  uint32_t num_copy_groups = 0;
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

// The same for a corpus in compact form (features.h) with the publication
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
  // cluster.copies.threads. The result is the same for any value. Default: 0.
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
// cores); the furniture filter is learned from `articles` first. The
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
// article's metadata and learn the furniture filter, then to compute the
// features into compact storage (features.h). Memory grows with the number
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

// Copy detection only (options.cluster.copies, on options.threads threads;
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

#endif  // STORYCLUSTER_PIPELINE_H_
