// The event pair model (events.h): a logistic regression over a few
// generic features of a candidate pair. A linear model over these is
// enough to learn what the hand-set rules guessed (how a time gap weighs
// against text similarity, how much a cosine between two headlines means)
// and few weights generalise across corpora; docs/pair_model.md has the
// leave-one-set-out figures that keep it this small.
#include "storycluster/events.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/common/strings.h"
#include "storycluster/output_path.h"

namespace storycluster {
namespace {

constexpr std::string_view kMagic = "#storycluster-pair-model";
constexpr int kFormatVersion = 1;

// The default model's file, written by scripts/train_default_model.sh.
constexpr std::string_view kDefaultModel =
#include "lib/5_events/default_pair_model.inc"
    ;

double Sigmoid(double z) { return 1 / (1 + std::exp(-z)); }

}  // namespace

const std::array<std::string_view, kPairFeatures>& PairFeatureNames() {
  static const std::array<std::string_view, kPairFeatures> names = {
      "text_cosine",       "sqrt_text_cosine",
      "entity_cosine",     "dated",
      "log_gap",           "log_gap_x_text",
      "log_shorter_terms", "shorter_x_text",
      "log_length_ratio"};
  return names;
}

PairFeatureVector PairFeatures(const PairEvidence& p) {
  const double c = std::max(0.0, p.text_cosine);
  const bool dated = p.gap_days.has_value();
  // log(1 + days): the first days of a gap say more than the later ones.
  const double gap = dated ? std::log1p(std::max(0.0, *p.gap_days)) : 0.0;
  const double shorter = std::log1p(std::min(p.terms_a, p.terms_b));
  const double longer = std::log1p(std::max(p.terms_a, p.terms_b));
  return {c,
          std::sqrt(c),
          std::max(0.0, p.entity_cosine),
          dated ? 1.0 : 0.0,
          gap,
          gap * c,
          shorter,
          shorter * c,
          longer - shorter};
}

double PairModel::Probability(const PairEvidence& evidence) const {
  const PairFeatureVector x = PairFeatures(evidence);
  double z = bias_;
  for (int k = 0; k < kPairFeatures; ++k) z += weights_[k] * x[k];
  return Sigmoid(z);
}

absl::StatusOr<PairModel> PairModel::Fit(absl::Span<const PairSample> samples,
                                         double l2) {
  if (samples.empty()) return absl::InvalidArgumentError("no pairs to fit");
  if (!(l2 >= 0) || !std::isfinite(l2)) {
    return absl::InvalidArgumentError("l2 must be finite and >= 0");
  }
  const Eigen::Index n = static_cast<Eigen::Index>(samples.size());
  constexpr int d = kPairFeatures + 1;  // bias first
  Eigen::MatrixXd x(n, d);
  Eigen::VectorXd y(n), weight(n);
  double total = 0, positive = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const PairSample& s = samples[static_cast<size_t>(i)];
    const PairEvidence& e = s.evidence;
    if (!std::isfinite(e.text_cosine) || !std::isfinite(e.entity_cosine) ||
        (e.gap_days && !std::isfinite(*e.gap_days))) {
      return absl::InvalidArgumentError(
          absl::StrCat("pair ", i, ": evidence is not finite"));
    }
    const PairFeatureVector f = PairFeatures(e);
    x(i, 0) = 1;
    for (int k = 0; k < kPairFeatures; ++k) {
      if (!std::isfinite(f[k])) {
        return absl::InvalidArgumentError(
            absl::StrCat("pair ", i, ": feature ", AV(PairFeatureNames()[k]),
                         " is not finite"));
      }
      x(i, k + 1) = f[k];
    }
    if (!(s.weight >= 0) || !std::isfinite(s.weight)) {
      return absl::InvalidArgumentError(
          absl::StrCat("pair ", i, ": weight must be finite and >= 0"));
    }
    y(i) = s.same_event ? 1 : 0;
    weight(i) = s.weight;
    total += s.weight;
    positive += s.same_event ? s.weight : 0;
  }
  if (!(positive > 0) || !(positive < total)) {
    return absl::InvalidArgumentError(
        "pairs of one class only: need pairs in one event and in different "
        "events");
  }
  weight /= total;
  Eigen::VectorXd w = Eigen::VectorXd::Zero(d);
  w(0) = std::log(positive / (total - positive));  // the base rate
  Eigen::MatrixXd penalty = Eigen::MatrixXd::Identity(d, d) * l2;
  penalty(0, 0) = 0;  // the bias is not shrunk
  for (int iteration = 0; iteration < 100; ++iteration) {
    const Eigen::VectorXd z = x * w;
    Eigen::VectorXd p(n), curvature(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      p(i) = Sigmoid(z(i));
      curvature(i) = weight(i) * p(i) * (1 - p(i));
    }
    const Eigen::VectorXd gradient =
        x.transpose() * (weight.cwiseProduct(y - p)) - penalty * w;
    const Eigen::MatrixXd hessian =
        x.transpose() * curvature.asDiagonal() * x + penalty;
    const Eigen::VectorXd step = hessian.ldlt().solve(gradient);
    if (!step.allFinite()) break;
    w += step;
    if (step.cwiseAbs().maxCoeff() < 1e-9) {
      PairModel model;
      model.bias_ = w(0);
      for (int k = 0; k < kPairFeatures; ++k) model.weights_[k] = w(k + 1);
      return model;
    }
  }
  return absl::InternalError(
      "the pair model did not converge (separable data? raise l2)");
}

std::string PairModel::Serialize() const {
  std::string out = absl::StrCat(AV(kMagic), "\tv", kFormatVersion, "\n");
  auto number = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.17g", v);
    return std::string(buf);
  };
  absl::StrAppend(&out, "bias\t", number(bias_), "\n");
  for (int k = 0; k < kPairFeatures; ++k) {
    absl::StrAppend(&out, AV(PairFeatureNames()[k]), "\t", number(weights_[k]),
                    "\n");
  }
  return out;
}

absl::StatusOr<PairModel> PairModel::Parse(std::string_view text,
                                           std::string_view name) {
  auto error = [&](int line, std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat(AV(name), ":", line, ": ", AV(why)));
  };
  std::vector<std::string_view> lines;
  for (absl::string_view line : absl::StrSplit(AV(text), '\n')) {
    lines.push_back(SV(line));
  }
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.empty()) return error(1, "empty pair model file");
  const std::vector<absl::string_view> header =
      absl::StrSplit(AV(lines[0]), '\t');
  if (header.size() != 2 || SV(header[0]) != kMagic) {
    return error(1, absl::StrCat("not a pair model file (expected '",
                                 AV(kMagic), "<TAB>v", kFormatVersion, "')"));
  }
  if (header[1] != absl::StrCat("v", kFormatVersion)) {
    return error(1, absl::StrCat("pair model format ", header[1],
                                 " is not supported (this build reads v",
                                 kFormatVersion, ")"));
  }
  PairModel model;
  std::array<bool, kPairFeatures> seen{};
  bool bias_seen = false;
  for (size_t i = 1; i < lines.size(); ++i) {
    const int line = static_cast<int>(i + 1);
    const std::vector<absl::string_view> fields =
        absl::StrSplit(AV(lines[i]), '\t');
    double value = 0;
    if (fields.size() != 2 || !absl::SimpleAtod(fields[1], &value) ||
        !std::isfinite(value)) {
      return error(line, "expected 'name<TAB>finite number'");
    }
    if (fields[0] == "bias") {
      if (bias_seen) return error(line, "bias given twice");
      bias_seen = true;
      model.bias_ = value;
      continue;
    }
    const auto& names = PairFeatureNames();
    const auto it = std::find(names.begin(), names.end(), SV(fields[0]));
    if (it == names.end()) {
      return error(line, absl::StrCat("unknown feature '", fields[0], "'"));
    }
    const size_t k = static_cast<size_t>(it - names.begin());
    if (seen[k]) return error(line, absl::StrCat(fields[0], " given twice"));
    seen[k] = true;
    model.weights_[k] = value;
  }
  if (!bias_seen) return error(static_cast<int>(lines.size()), "no bias");
  for (int k = 0; k < kPairFeatures; ++k) {
    if (!seen[k]) {
      return error(static_cast<int>(lines.size()),
                   absl::StrCat("no weight for ", AV(PairFeatureNames()[k])));
    }
  }
  return model;
}

absl::StatusOr<PairModel> PairModel::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::ostringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

absl::Status PairModel::Save(const std::string& path) const {
  return WriteOutputFile(path, Serialize());
}

const PairModel& PairModel::Default() {
  static const PairModel* model = [] {
    auto parsed = Parse(kDefaultModel, "default pair model");
    // The embedded text is checked by a test; a broken one is a build bug.
    if (!parsed.ok()) std::abort();
    return new PairModel(*parsed);
  }();
  return *model;
}

}  // namespace storycluster
