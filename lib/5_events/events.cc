// The event stage's steps: candidate pairs scored by the pair model, then
// average linkage over that sparse graph.
#include "lib/5_events/events.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace storycluster {
namespace {

// Days between two publication times; nullopt when either is unknown.
std::optional<double> GapDays(const std::optional<absl::Time>& a,
                              const std::optional<absl::Time>& b) {
  if (!a || !b) return std::nullopt;
  return absl::ToDoubleHours(absl::AbsDuration(*a - *b)) / 24;
}

}  // namespace

absl::Status CheckLinkageSettings(double similarity, double idf_offset) {
  if (!(similarity > 0 && similarity <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "similarity thresholds must be in (0, 1], got ", similarity));
  }
  if (!(idf_offset >= 0)) {
    return absl::InvalidArgumentError("idf offsets must be >= 0");
  }
  return absl::OkStatus();
}

absl::Status CheckEventOptions(const EventOptions& options) {
  if (absl::Status s =
          CheckLinkageSettings(options.similarity, options.idf_offset);
      !s.ok()) {
    return s;
  }
  if (options.shared_neighbours < 0 || options.shared_neighbours > 1000 ||
      !(options.shared_neighbour_floor >= 0 &&
        options.shared_neighbour_floor <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "shared_neighbours must be in [0, 1000] and shared_neighbour_floor "
        "in [0, 1]; got ",
        options.shared_neighbours, " and ", options.shared_neighbour_floor));
  }
  return absl::OkStatus();
}

std::vector<SimilarityEdge> EventEdges(
    const Vectors& docs, const std::vector<uint32_t>& originals,
    const std::vector<std::optional<absl::Time>>& times,
    const EventOptions& options, CandidateSearch search) {
  const PairModel& model =
      options.pair_model ? *options.pair_model : PairModel::Default();
  auto doc_similarity = [&](uint32_t i, uint32_t j, const PairDots& dots) {
    PairEvidence evidence;
    evidence.text_cosine = dots.Text();
    evidence.entity_cosine = dots.Entity();
    evidence.gap_days = GapDays(times[i], times[j]);
    evidence.terms_a = static_cast<uint32_t>(docs.text[i].indices.size());
    evidence.terms_b = static_cast<uint32_t>(docs.text[j].indices.size());
    if (options.pair_observer) {
      options.pair_observer(originals[i], originals[j], evidence);
    }
    return model.Probability(evidence);
  };
  search.limits.edges = static_cast<size_t>(std::max(1, options.max_edges));
  // Articles propose each other through strong terms they share: a word
  // of one article alone is never among them (see CandidateSearch).
  search.shared_terms_only = true;
  // A term in more than a tenth of the articles is too common to propose
  // pairs. Not less: a large story can fill a tenth of a batch (in the
  // uci headlines the words of one story are in more than 5% of them).
  search.max_postings = std::max<size_t>(50, originals.size() / 10);
  search.times = &times;
  search.window = options.window;
  std::vector<SimilarityEdge> edges =
      CandidateEdges(docs, search, doc_similarity);
  WeightBySharedNeighbours(static_cast<uint32_t>(originals.size()),
                           options.shared_neighbours,
                           options.shared_neighbour_floor, search.min_weight,
                           search.threads, &edges);
  return edges;
}

std::vector<uint32_t> LinkEvents(
    uint32_t n, std::vector<SimilarityEdge> edges,
    const std::vector<std::optional<absl::Time>>& times,
    const EventOptions& options, int threads) {
  LinkageOptions linkage;
  linkage.threshold = options.similarity;
  linkage.cohesion_ratio = options.cohesion_ratio;
  linkage.times = &times;
  linkage.max_span = options.window;
  linkage.threads = threads;
  return AverageLinkage(n, std::move(edges), linkage);
}

}  // namespace storycluster
