// Stage 9 of the pipeline, evaluation: a predicted clustering against gold
// labels. BCubed and pairwise precision/recall/F1 and the adjusted Rand
// index, computed exactly as the project's reference scorer
// (docs/formats.md#evaluation).
#ifndef STORYCLUSTER_EVAL_H_
#define STORYCLUSTER_EVAL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace storycluster {

struct EvalOptions {
  // Gold column to score against: "event" or "story". Default: "event".
  std::string column = "event";
  // Prediction column: a 0-based index or a header name. Empty: the column
  // named like `column` when the prediction has such a header, else 1.
  std::string pred_column;
};

struct EvalScores {
  int64_t docs = 0;  // gold ids
  int64_t gold_clusters = 0;
  int64_t pred_clusters = 0;
  int64_t missing = 0;  // gold ids absent from the prediction (singletons)
  double bcubed_p = 0, bcubed_r = 0, bcubed_f1 = 0;
  double pair_p = 0, pair_r = 0, pair_f1 = 0;
  double ari = 0;
};

// Scores TSV contents: gold has a header with id and `column`; the
// prediction's first column is the id.
absl::StatusOr<EvalScores> Evaluate(std::string_view gold_tsv,
                                    std::string_view pred_tsv,
                                    const EvalOptions& options = {});
absl::StatusOr<EvalScores> EvaluateFiles(const std::string& gold_path,
                                         const std::string& pred_path,
                                         const EvalOptions& options = {});

// The labels of `column` ("event" or "story") in a gold labels TSV file
// (header with `id` first and `column`), as (id, label) rows in file order.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ReadGoldLabels(
    const std::string& path, const std::string& column = "event");

// One JSON line, byte for byte as the reference scorer prints it (values
// rounded to 4 decimals).
std::string ScoresToJson(const EvalScores& scores);

}  // namespace storycluster

#endif  // STORYCLUSTER_EVAL_H_
