// Internal to the command-line tool: exit codes, the options of the
// subcommands that read articles, and how their input is read, reported
// and written, shared by main.cc and index_commands.cc.
#ifndef STORYCLUSTER_TOOLS_STORYCLUSTER_CLI_COMMON_H_
#define STORYCLUSTER_TOOLS_STORYCLUSTER_CLI_COMMON_H_

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <initializer_list>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "storycluster/storycluster.h"

namespace storycluster_cli {

constexpr int kExitOk = 0;
constexpr int kExitRejected = 1;
constexpr int kExitUsage = 2;
constexpr int kExitFailure = 3;
constexpr size_t kRejectionsShown = 50;

inline int Fail(const absl::Status& status, int code = kExitFailure) {
  std::cerr << "storycluster: " << status.message() << "\n";
  return code;
}

// The progress line on stderr: "features: 45000/100000 articles, 4100/s,
// ETA 13 s", redrawn at most four times a second, cleared at the end. Only
// when stderr is a terminal and --quiet is not given.
class ProgressLine {
 public:
  explicit ProgressLine(bool quiet)
      : enabled_(!quiet && isatty(STDERR_FILENO)) {}

  // `total` 0: not known yet (the first pass over streamed input).
  void operator()(std::string_view stage, size_t done, size_t total) {
    if (!enabled_) return;
    const absl::Time now = absl::Now();
    if (stage != stage_) {  // rates count from a stage's first report
      stage_ = std::string(stage);
      start_ = now;
      start_done_ = done;
      last_ = absl::InfinitePast();  // a new stage is shown at once
    }
    const bool finished = total != 0 && done >= total;
    if (!finished && now - last_ < absl::Milliseconds(250)) return;
    last_ = now;
    if (finished) {
      std::fprintf(stderr, "\r\033[K");
      return;
    }
    const double seconds = std::max(1e-3, absl::ToDoubleSeconds(now - start_));
    const double rate = static_cast<double>(done - start_done_) / seconds;
    if (total == 0) {
      std::fprintf(stderr, "\r\033[K%.*s: %zu articles, %.0f/s",
                   static_cast<int>(stage.size()), stage.data(), done, rate);
      return;
    }
    const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0;
    std::fprintf(stderr, "\r\033[K%.*s: %zu/%zu articles, %.0f/s, ETA %.0f s",
                 static_cast<int>(stage.size()), stage.data(), done, total,
                 rate, eta);
  }

 private:
  bool enabled_;
  std::string stage_;
  absl::Time start_;
  size_t start_done_ = 0;
  absl::Time last_ = absl::InfinitePast();
};

// Options shared by the subcommands that read articles.
struct InputArgs {
  std::vector<std::string> inputs;
  std::string format = "json";
  std::string output = "-";
  std::string rejects;
  std::vector<std::string> fields;
  size_t max_record_bytes = storycluster::IngestOptions{}.max_record_bytes;
  size_t max_article_bytes = storycluster::IngestOptions{}.max_article_bytes;
  bool quiet = false;
  int threads = 0;

  // `with_format`: the subcommand writes one of the formats (`index add`
  // writes JSON Lines only).
  void Register(CLI::App* cmd, bool with_format = true) {
    cmd->add_option("inputs", inputs, "JSONL/.txt/.md files, directories, or -")
        ->required();
    if (with_format) {
      cmd->add_option("--format", format, "json, tsv or text")
          ->capture_default_str()
          ->check(CLI::IsMember({"json", "tsv", "text"}));
    }
    cmd->add_option(
           "-o,--output", output,
           "output file (a regular file is replaced atomically), - for stdout")
        ->capture_default_str();
    cmd->add_option("--rejects", rejects,
                    "also write every rejected record to this TSV file");
    cmd->add_option(
        "--field", fields,
        "input field names for a logical field, e.g. text=maintext,body "
        "(fields: id, title, text, published, source, url); repeatable");
    cmd->add_option("--max-record-bytes", max_record_bytes,
                    "largest JSONL line or article file")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_option("--max-article-bytes", max_article_bytes,
                    "largest title + text of one article")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_flag("-q,--quiet", quiet,
                  "no progress, summary or rejection list on stderr");
    cmd->add_option("-j,--threads", threads,
                    "worker threads, 0 for all cores (the output is the "
                    "same for any number)")
        ->capture_default_str()
        ->check(CLI::Range(0, 1024));
  }
};

// The ingest options the flags ask for; on error prints it and sets
// *exit_code.
inline std::optional<storycluster::IngestOptions> IngestOptionsOf(
    const InputArgs& args, int* exit_code) {
  storycluster::IngestOptions ingest_options;
  ingest_options.max_record_bytes = args.max_record_bytes;
  ingest_options.max_article_bytes = args.max_article_bytes;
  ingest_options.threads = args.threads;
  for (const std::string& spec : args.fields) {
    if (absl::Status s = ingest_options.fields.Override(spec); !s.ok()) {
      *exit_code = Fail(s, kExitUsage);
      return std::nullopt;
    }
  }
  return ingest_options;
}

// Reads the inputs; on error prints it and sets *exit_code.
inline std::optional<storycluster::IngestResult> Ingest(const InputArgs& args,
                                                        int* exit_code) {
  auto ingest_options = IngestOptionsOf(args, exit_code);
  if (!ingest_options) return std::nullopt;
  auto ingest = storycluster::IngestPaths(args.inputs, *ingest_options);
  if (!ingest.ok()) {
    *exit_code = Fail(ingest.status(), kExitUsage);
    return std::nullopt;
  }
  return std::move(ingest).value();
}

inline int ReportInput(const InputArgs& args,
                       const storycluster::IngestResult& ingest_result,
                       const std::string& summary) {
  const auto* ingest = &ingest_result;
  if (!args.rejects.empty()) {
    std::string tsv = "file\tline\treason\tdetail\n";
    for (const auto& r : ingest->rejections) {
      absl::StrAppend(&tsv, r.origin.file, "\t", r.origin.line, "\t",
                      std::string(storycluster::RejectReasonName(r.reason)),
                      "\t", r.detail, "\n");
    }
    if (absl::Status s = storycluster::WriteOutputFile(args.rejects, tsv);
        !s.ok()) {
      return Fail(s);
    }
  }
  const auto& stats = ingest->stats;
  if (!args.quiet) {
    for (size_t i = 0; i < ingest->rejections.size() && i < kRejectionsShown;
         ++i) {
      std::cerr << "rejected " << ingest->rejections[i].ToString() << "\n";
    }
    if (ingest->rejections.size() > kRejectionsShown) {
      std::cerr << "... and " << ingest->rejections.size() - kRejectionsShown
                << " more rejections (all are listed in the JSON output and "
                   "with --rejects FILE)\n";
    }
    for (const auto& w : ingest->warnings) {
      std::cerr << "warning " << w.origin.ToString() << ": " << w.message
                << "\n";
    }
    std::cerr << "read " << stats.read << " records: " << stats.accepted
              << " accepted, " << stats.rejected << " rejected";
    if (stats.ignored_files > 0) {
      std::cerr << "; ignored " << stats.ignored_files
                << " files with other extensions";
    }
    std::cerr << "; " << summary << "\n";
  }
  return stats.rejected > 0 ? kExitRejected : kExitOk;
}

// Writes the output and the rejects file, reports on stderr, and returns
// the exit code.
inline int Finish(const InputArgs& args,
                  const storycluster::IngestResult& ingest,
                  const std::string& text, const std::string& summary) {
  if (absl::Status s = storycluster::WriteOutputFile(args.output, text);
      !s.ok()) {
    return Fail(s);
  }
  return ReportInput(args, ingest, summary);
}

// Checks every output path before any work is done (output.h gives the
// rule): a directory, or a path whose directory is missing or not
// writable, fails now rather than after a long run. Empty paths are
// outputs not asked for. Returns the exit code, kExitOk when all are fine.
inline int CheckOutputs(std::initializer_list<std::string_view> paths) {
  for (std::string_view path : paths) {
    if (path.empty()) continue;
    auto resolved = storycluster::OutputPath::Resolve(std::string(path));
    if (!resolved.ok()) return Fail(resolved.status(), kExitUsage);
  }
  return kExitOk;
}

}  // namespace storycluster_cli

#endif  // STORYCLUSTER_TOOLS_STORYCLUSTER_CLI_COMMON_H_
