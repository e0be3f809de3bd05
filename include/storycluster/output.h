// Stage 8 of the pipeline: writing results. TSV (id, dup, event, story),
// JSON (storylines -> events -> members, run statistics, rejected inputs)
// and a human-readable text tree; files are replaced atomically.
#ifndef STORYCLUSTER_OUTPUT_H_
#define STORYCLUSTER_OUTPUT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storycluster/article.h"
#include "storycluster/copies.h"
#include "storycluster/output_path.h"
#include "storycluster/pipeline.h"

namespace storycluster {

enum class OutputFormat { kJson, kTsv, kText };

// "json", "tsv" or "text".
absl::StatusOr<OutputFormat> ParseOutputFormat(std::string_view name);

// Cluster id strings: 'd' (copy group), 'e' (event) or 's' (storyline)
// followed by the 1-based dense index, e.g. "e12". Stable for the same input
// and options.
std::string ClusterId(char level, uint32_t index);

// Renders `clustering` of `ingest.articles` in `format`.
// REQUIRES: clustering.assignments.size() == ingest.articles.size().
std::string FormatClustering(const IngestResult& ingest,
                             const Clustering& clustering, OutputFormat format);

// Renders copy groups only (storycluster copies): TSV "id<TAB>dup" per
// article in input order; JSON {"copy_groups": [groups of 2 or more, each
// with its original and members], "stats", "rejected", "warnings"}; text.
// REQUIRES: groups.group.size() == ingest.articles.size().
std::string FormatCopyGroups(const IngestResult& ingest,
                             const CopyGroups& groups, OutputFormat format);

}  // namespace storycluster

#endif  // STORYCLUSTER_OUTPUT_H_
