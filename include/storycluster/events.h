// Stage 5 of the pipeline, events: reports of one event by different
// outlets. Only copy-group originals take part (a story reprinted 40 times
// counts once). Candidate pairs of articles share one of their strongest
// terms; the pair model turns each pair's evidence (text and entity
// cosines, time gap, lengths) into the probability that both report one
// event; average linkage over that sparse graph forms the events, so a
// chain A~B~C does not merge A and C unless the clusters are similar on
// average. The model trained on the project's labeled development sets is
// compiled into the library and used by default; `storycluster train` fits
// one on a user's labels. docs/pair_model.md gives the file format, the
// features and the leave-one-set-out figures.
#ifndef STORYCLUSTER_EVENTS_H_
#define STORYCLUSTER_EVENTS_H_

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace storycluster {

// -------------------------------------------------------------------------
// The pair model.

// What is known of one candidate pair of articles.
struct PairEvidence {
  double text_cosine = 0;    // content-term TF-IDF cosine
  double entity_cosine = 0;  // entity-term TF-IDF cosine
  // Days between the two publication times; nullopt when either is
  // unknown (then time is no evidence either way).
  std::optional<double> gap_days;
  // Distinct content terms of each article: a headline has a handful, a
  // full report hundreds.
  uint32_t terms_a = 0, terms_b = 0;
};

// The model's inputs, computed from the evidence (names: PairFeatureNames).
inline constexpr int kPairFeatures = 9;
using PairFeatureVector = std::array<double, kPairFeatures>;
PairFeatureVector PairFeatures(const PairEvidence& evidence);
const std::array<std::string_view, kPairFeatures>& PairFeatureNames();

// One labeled pair for fitting: whether both articles are in one gold
// event, and its weight (e.g. 1 / pairs of its corpus, so that each
// corpus counts alike).
struct PairSample {
  PairEvidence evidence;
  bool same_event = false;
  double weight = 1;
};

class PairModel {
 public:
  // The model shipped with the library (trained on all labeled dev sets by
  // scripts/train_default_model.sh).
  static const PairModel& Default();

  // Logistic regression by iteratively reweighted least squares (Newton),
  // with an L2 penalty `l2` on the weights (not the bias), relative to the
  // total sample weight. Deterministic. Errors: no samples, only one class,
  // non-finite evidence, or no convergence.
  static absl::StatusOr<PairModel> Fit(absl::Span<const PairSample> samples,
                                       double l2 = 1e-3);

  // The model file (docs/pair_model.md): a versioned, tab-separated text.
  // Parse refuses another version, unknown or missing features and
  // non-finite numbers, naming `name`, the line and the reason.
  static absl::StatusOr<PairModel> Parse(std::string_view text,
                                         std::string_view name);
  static absl::StatusOr<PairModel> Load(const std::string& path);
  std::string Serialize() const;
  absl::Status Save(const std::string& path) const;

  // Probability that the pair reports one event, in (0, 1).
  double Probability(const PairEvidence& evidence) const;

  double bias() const { return bias_; }
  const PairFeatureVector& weights() const { return weights_; }

 private:
  PairModel() = default;
  double bias_ = 0;
  PairFeatureVector weights_{};
};

// -------------------------------------------------------------------------
// Event options (part of ClusterOptions, pipeline.h).

struct EventOptions {
  // Parameters that affect the result.

  // How likely two articles report one event: each candidate pair's text
  // and entity cosines, time gap (or that it is unknown) and text lengths,
  // through a logistic regression. Null: the model shipped with the
  // library (PairModel::Default()).
  std::shared_ptr<const PairModel> pair_model;
  // Average-linkage pair probability at or above which two clusters of
  // articles merge into one event (pairs that are not candidates count as
  // 0). Default: 0.1, the median of the thresholds scripts/loso.py chooses
  // with one dev set left out (docs/pair_model.md). REQUIRES: in (0, 1].
  double similarity = 0.1;
  // Two multi-article clusters merge only if their average-linkage
  // similarity is at least this times the smaller of their internal
  // cohesions (0 disables). Default: 0.5, the median of the ratios
  // scripts/loso.py chooses with one dev set left out.
  double cohesion_ratio = 0.5;
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
  absl::Duration window = absl::InfiniteDuration();
  // Term weight = (1 + ln tf) * (ln((1 + N) / (1 + df)) + idf_offset).
  // 1 is scikit-learn's smooth idf; a small offset lets terms that nearly
  // every article shares fade out, which matters for small inputs (on five
  // articles about North Korea, "north" and "korea" say nothing).
  // Default: 0.2. REQUIRES: >= 0.
  double idf_offset = 0.2;

  // Bounds that keep the work per item constant on large inputs; they
  // change the result only where they are reached.

  // An article keeps at most this many edges to its candidates (the
  // strongest). Average linkage counts a missing edge as 0, so an event of
  // many short items (headlines: one term in common is a strong hint)
  // needs many edges per member. Default: 80.
  int max_edges = 80;

  // Called for every candidate pair of originals with its evidence, before
  // the model scores it (article indices in input order, a < b is not
  // promised). For collecting training pairs (storycluster train). Called
  // from worker threads, possibly at once: it must be thread-safe.
  // Default: none.
  std::function<void(uint32_t a, uint32_t b, const PairEvidence&)>
      pair_observer;
};

}  // namespace storycluster

#endif  // STORYCLUSTER_EVENTS_H_
