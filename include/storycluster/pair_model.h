// The event pair model: how likely two articles report the same event,
// from generic evidence about the pair (text and entity cosines, the time
// gap and whether it is known, the length of each text). A logistic
// regression, fitted on labeled corpora with `storycluster train` (or Fit);
// the model trained on the project's labeled development sets is compiled
// into the library and used by default. docs/pair_model.md gives the file
// format, the features and the leave-one-set-out figures.
#ifndef STORYCLUSTER_PAIR_MODEL_H_
#define STORYCLUSTER_PAIR_MODEL_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace storycluster {

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

}  // namespace storycluster

#endif  // STORYCLUSTER_PAIR_MODEL_H_
