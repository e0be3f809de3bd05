// `storycluster index ...` and `storycluster stream` (index_commands.h).
#include "tools/storycluster/index_commands.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "absl/time/clock.h"

namespace storycluster_cli {
namespace {

namespace sc = storycluster;
using Json = nlohmann::ordered_json;

std::string TimeText(const std::optional<absl::Time>& t) {
  return t ? absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", *t, absl::UTCTimeZone())
           : std::string();
}

absl::StatusOr<std::unique_ptr<sc::Index>> OpenIndex(const IndexArgs& args,
                                                     bool create,
                                                     bool read_only) {
  sc::IndexOptions options;
  options.create = create;
  options.read_only = read_only;
  options.window_days = args.window_days;
  options.busy_timeout = absl::Seconds(args.busy_seconds);
  options.pipeline.threads = args.in.threads;
  return sc::Index::Open(args.db, std::move(options));
}

// Exit code of an index that failed to open or to add: a missing, foreign
// or newer database is the caller's to fix.
int IndexFailure(const absl::Status& status) {
  return Fail(status, absl::IsNotFound(status) ||
                              absl::IsAlreadyExists(status) ||
                              absl::IsFailedPrecondition(status) ||
                              absl::IsInvalidArgument(status)
                          ? kExitUsage
                          : kExitFailure);
}

Json AssignmentJson(const sc::IndexAssignment& a) {
  Json j;
  j["type"] = "assignment";
  j["id"] = a.id;
  j["dup"] = a.copy_group;
  j["event"] = a.event;
  j["story"] = a.story;
  j["original"] = a.original;
  j["new_copy_group"] = a.new_copy_group;
  j["new_event"] = a.new_event;
  j["new_story"] = a.new_story;
  return j;
}

std::string Line(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

// The JSON Lines of one Add: an assignment per added article, then the
// skipped ids and the links.
std::string AddLines(const sc::AddResult& r) {
  std::string out;
  for (const sc::IndexAssignment& a : r.added) out += Line(AssignmentJson(a));
  for (const std::string& id : r.skipped) {
    Json j;
    j["type"] = "skipped";
    j["id"] = id;
    j["reason"] = "already in the index";
    out += Line(j);
  }
  for (const sc::IndexLink& l : r.links) {
    Json j;
    j["type"] = "link";
    j["from"] = l.from;
    j["into"] = l.into;
    out += Line(j);
  }
  return out;
}

std::string AddSummary(const sc::AddResult& r) {
  return absl::StrCat("batch ", r.batch, ": ", r.added.size(), " added, ",
                      r.skipped.size(), " already in the index, ",
                      r.window_articles, " archive articles in the window, ",
                      r.archive_copies, " copies of older archive articles, ",
                      r.links.size(), " links");
}

int RunCreate(const IndexArgs& args) {
  auto index = OpenIndex(args, /*create=*/true, /*read_only=*/false);
  if (!index.ok()) return IndexFailure(index.status());
  std::cerr << "created index " << args.db << " (window " << args.window_days
            << " days)\n";
  return kExitOk;
}

int RunAdd(const IndexArgs& args) {
  int code = CheckOutputs({args.in.output, args.in.rejects});
  if (code != kExitOk) return code;
  auto index = OpenIndex(args, false, false);
  if (!index.ok()) return IndexFailure(index.status());
  auto ingest = Ingest(args.in, &code);
  if (!ingest) return code;
  auto added = (*index)->Add(ingest->articles);
  if (!added.ok()) return IndexFailure(added.status());
  if (args.stages) {
    for (const auto& s : added->stages) {
      std::cerr << "stage " << s.stage << ": " << s.seconds << " s, peak "
                << (s.peak_rss_bytes >> 20) << " MB\n";
    }
  }
  return Finish(args.in, *ingest, AddLines(*added), AddSummary(*added));
}

int RunExport(const IndexArgs& args) {
  int code = CheckOutputs({args.output});
  if (code != kExitOk) return code;
  auto index = OpenIndex(args, false, true);
  if (!index.ok()) return IndexFailure(index.status());
  auto snapshot = (*index)->Snapshot();
  if (!snapshot.ok()) return Fail(snapshot.status());
  const std::string text =
      sc::FormatClustering(snapshot->ingest, snapshot->clustering,
                           *sc::ParseOutputFormat(args.format));
  if (absl::Status s = sc::WriteOutputFile(args.output, text); !s.ok()) {
    return Fail(s);
  }
  return kExitOk;
}

Json ArticleJson(const sc::IndexedArticle& a) {
  Json j = AssignmentJson(a.assignment);
  j.erase("type");
  j.erase("new_copy_group");
  j.erase("new_event");
  j.erase("new_story");
  j["title"] = a.article.title;
  j["source"] = a.article.source;
  j["url"] = a.article.url;
  j["published"] = TimeText(a.article.published);
  j["batch"] = a.batch;
  j["compacted"] = a.compacted;
  return j;
}

int RunShow(const IndexArgs& args) {
  int code = CheckOutputs({args.output});
  if (code != kExitOk) return code;
  const int given =
      !args.article.empty() + !args.event.empty() + !args.story.empty();
  if (given != 1) {
    return Fail(absl::InvalidArgumentError(
                    "index show needs exactly one of --article, --event and "
                    "--story"),
                kExitUsage);
  }
  auto index = OpenIndex(args, false, true);
  if (!index.ok()) return IndexFailure(index.status());
  Json out;
  if (!args.article.empty()) {
    auto found = (*index)->Lookup(args.article);
    if (!found.ok()) return Fail(found.status());
    if (!*found) {
      return Fail(absl::NotFoundError(absl::StrCat("no article '", args.article,
                                                   "' in ", args.db)),
                  kExitUsage);
    }
    out = ArticleJson(**found);
    out["text"] = (*found)->article.text;
  } else {
    const std::string& cluster = args.event.empty() ? args.story : args.event;
    auto members = (*index)->Members(cluster);
    if (!members.ok()) return Fail(members.status(), kExitUsage);
    if (members->empty()) {
      return Fail(absl::NotFoundError(
                      absl::StrCat("no cluster '", cluster, "' in ", args.db)),
                  kExitUsage);
    }
    out["id"] = cluster;
    out["articles"] = members->size();
    Json list = Json::array();
    for (const sc::IndexedArticle& m : *members) list.push_back(ArticleJson(m));
    out["members"] = std::move(list);
  }
  if (absl::Status s = sc::WriteOutputFile(args.output, Line(out)); !s.ok()) {
    return Fail(s);
  }
  return kExitOk;
}

int RunStats(const IndexArgs& args) {
  int code = CheckOutputs({args.output});
  if (code != kExitOk) return code;
  const absl::Time start = absl::Now();
  auto index = OpenIndex(args, false, true);
  if (!index.ok()) return IndexFailure(index.status());
  const double open_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  auto stats = (*index)->Stats();
  if (!stats.ok()) return Fail(stats.status());
  Json j;
  j["schema_version"] = stats->schema_version;
  j["articles"] = stats->articles;
  j["batches"] = stats->batches;
  j["copy_groups"] = stats->copy_groups;
  j["events"] = stats->events;
  j["storylines"] = stats->storylines;
  j["links"] = stats->links;
  j["compacted"] = stats->compacted;
  j["first_published"] = TimeText(stats->first_published);
  j["last_published"] = TimeText(stats->last_published);
  j["window_days"] = stats->window_days;
  j["database_bytes"] = stats->database_bytes;
  j["bytes_per_article"] =
      stats->articles > 0 ? stats->database_bytes / stats->articles : 0;
  j["open_seconds"] = open_seconds;
  if (absl::Status s = sc::WriteOutputFile(args.output, Line(j)); !s.ok()) {
    return Fail(s);
  }
  return kExitOk;
}

int RunCompact(const IndexArgs& args) {
  const std::optional<absl::Time> before = sc::ParseTimestamp(args.before);
  if (!before) {
    return Fail(
        absl::InvalidArgumentError(absl::StrCat(
            "--before '", args.before,
            "' is not a date (e.g. 2025-01-31 or 2025-01-31T12:00:00Z)")),
        kExitUsage);
  }
  auto index = OpenIndex(args, false, false);
  if (!index.ok()) return IndexFailure(index.status());
  auto before_stats = (*index)->Stats();
  if (!before_stats.ok()) return Fail(before_stats.status());
  auto compacted = (*index)->Compact(*before);
  if (!compacted.ok()) return IndexFailure(compacted.status());
  auto after_stats = (*index)->Stats();
  if (!after_stats.ok()) return Fail(after_stats.status());
  std::cerr << "compacted " << compacted->compacted
            << " articles published (or, undated, added) before "
            << TimeText(*before) << "; the database went from "
            << before_stats->database_bytes << " to "
            << after_stats->database_bytes << " bytes\n";
  return kExitOk;
}

int RunMigrate(const IndexArgs& args) {
  // Opening for writing migrates (schema.h); a current index is left as is.
  auto index = OpenIndex(args, false, false);
  if (!index.ok()) return IndexFailure(index.status());
  std::cerr << args.db << " is at index schema version "
            << sc::kIndexSchemaVersion << "\n";
  return kExitOk;
}

// Standard input in micro-batches: a batch is added once it holds
// batch_articles lines, when batch_seconds pass after its first line
// without it filling, or at end of input; its assignments are written and
// flushed at once. Memory holds one batch and the index's window.
int RunStream(const IndexArgs& args) {
  auto index = OpenIndex(args, false, false);
  if (!index.ok()) return IndexFailure(index.status());
  int code = kExitOk;
  auto ingest_options = IngestOptionsOf(args.in, &code);
  if (!ingest_options) return code;
  std::string pending;       // bytes read, whole lines and a partial tail
  size_t pending_lines = 0;  // whole lines in `pending`
  int64_t lines_before = 0;  // lines of earlier batches (for origins)
  int64_t rejected = 0;
  absl::Time first_line;  // when the batch's first whole line came
  auto flush = [&](bool all) -> absl::Status {
    // rfind gives npos (and end 0) when no line is whole yet.
    const size_t end = all ? pending.size() : pending.rfind('\n') + 1;
    if (end == 0) return absl::OkStatus();
    const std::string batch = pending.substr(0, end);
    pending.erase(0, end);
    pending_lines = 0;
    auto ingestor = sc::Ingestor::Create(*ingest_options);
    if (!ingestor.ok()) return ingestor.status();
    (*ingestor)->AddJsonlBuffer(batch, "-");
    sc::IngestResult read = std::move(**ingestor).Finish();
    for (sc::Rejection& r : read.rejections) {
      r.origin.line += lines_before;
      if (!args.in.quiet) std::cerr << "rejected " << r.ToString() << "\n";
    }
    lines_before +=
        static_cast<int64_t>(std::count(batch.begin(), batch.end(), '\n') +
                             (batch.empty() || batch.back() == '\n' ? 0 : 1));
    rejected += read.stats.rejected;
    if (read.articles.empty()) return absl::OkStatus();
    auto added = (*index)->Add(read.articles);
    if (!added.ok()) return added.status();
    const std::string out = AddLines(*added);
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
    if (!args.in.quiet) std::cerr << AddSummary(*added) << "\n";
    return absl::OkStatus();
  };
  char buffer[1 << 16];
  for (;;) {
    int timeout = -1;
    if (pending_lines > 0) {
      const double left =
          args.batch_seconds - absl::ToDoubleSeconds(absl::Now() - first_line);
      timeout = std::max(0, static_cast<int>(left * 1000));
    }
    pollfd in{STDIN_FILENO, POLLIN, 0};
    const int ready = poll(&in, 1, timeout);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {  // the batch's time is up
      if (absl::Status s = flush(false); !s.ok()) return IndexFailure(s);
      continue;
    }
    const ssize_t n = read(STDIN_FILENO, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return Fail(absl::InternalError(
          absl::StrCat("reading standard input: ", std::strerror(errno))));
    }
    if (n == 0) {
      if (absl::Status s = flush(true); !s.ok()) return IndexFailure(s);
      break;
    }
    for (ssize_t i = 0; i < n; ++i) {
      if (buffer[i] != '\n') continue;
      if (pending_lines++ == 0) first_line = absl::Now();
    }
    pending.append(buffer, static_cast<size_t>(n));
    if (pending_lines >= args.batch_articles) {
      if (absl::Status s = flush(false); !s.ok()) return IndexFailure(s);
    }
  }
  return rejected > 0 ? kExitRejected : kExitOk;
}

}  // namespace

void AddIndexCommands(CLI::App& app, IndexArgs* a) {
  a->index = app.add_subcommand(
      "index",
      "A persistent, incremental index on SQLite: add articles to an archive "
      "and get their copy groups, events and storylines (docs/index.md).");
  a->index->require_subcommand(1);
  auto db = [&](CLI::App* cmd) {
    cmd->add_option("db", a->db, "the index database file")->required();
  };
  a->create = a->index->add_subcommand("create", "Create an empty index.");
  db(a->create);
  a->create
      ->add_option("--window-days", a->window_days,
                   "days of archive on each side of a batch clustered with it "
                   "(stored in the index)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);

  a->add = a->index->add_subcommand(
      "add",
      "Add articles (one transaction): JSON Lines of their assignments on "
      "stdout (-o), ids already in the index reported and skipped.");
  db(a->add);
  a->in.Register(a->add, /*with_format=*/false);
  a->add
      ->add_option("--busy-seconds", a->busy_seconds,
                   "how long to wait for another writer")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  a->add->add_flag("--stage-times", a->stages,
                   "print each step's wall time on stderr");

  a->export_ = a->index->add_subcommand(
      "export", "Write every article's clusters, in the formats of cluster.");
  db(a->export_);
  a->export_->add_option("--format", a->format, "json, tsv or text")
      ->capture_default_str()
      ->check(CLI::IsMember({"json", "tsv", "text"}));
  a->export_->add_option("-o,--output", a->output, "output file, - for stdout")
      ->capture_default_str();

  a->show = a->index->add_subcommand(
      "show",
      "One article with its clusters, or an event's or storyline's "
      "members, as JSON.");
  db(a->show);
  a->show->add_option("--article", a->article, "an article id");
  a->show->add_option("--event", a->event, "an event id (eN)");
  a->show->add_option("--story", a->story, "a storyline id (sN)");
  a->show->add_option("-o,--output", a->output, "output file, - for stdout")
      ->capture_default_str();

  a->stats = a->index->add_subcommand(
      "stats", "Counts, time span, size and open time, as JSON.");
  db(a->stats);
  a->stats->add_option("-o,--output", a->output, "output file, - for stdout")
      ->capture_default_str();

  a->compact = a->index->add_subcommand(
      "compact",
      "Drop the text of articles published before a date (and of undated "
      "ones added before it): they keep their clusters, join no later "
      "window, and copies of them are still found (docs/index.md).");
  db(a->compact);
  a->compact
      ->add_option("--before", a->before,
                   "the date (YYYY-MM-DD or an RFC 3339 time)")
      ->required();

  a->migrate = a->index->add_subcommand(
      "migrate",
      "Bring an index of an older schema version to this one (also done by "
      "any command that writes to it).");
  db(a->migrate);

  a->stream = app.add_subcommand(
      "stream",
      "Read JSON Lines from stdin as they arrive and add them to an index in "
      "micro-batches, writing each assignment as soon as it is decided.");
  a->stream->add_option("--index", a->db, "the index database file")
      ->required();
  a->stream
      ->add_option("--batch-articles", a->batch_articles,
                   "lines that make a batch")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{1} << 24));
  a->stream
      ->add_option("--batch-seconds", a->batch_seconds,
                   "longest wait after a batch's first line")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  a->stream->add_flag("-q,--quiet", a->in.quiet,
                      "no summary or rejection list on stderr");
  a->stream->add_option("--field", a->in.fields,
                        "input field names for a logical field (as cluster)");
  a->stream->add_option("-j,--threads", a->in.threads, "worker threads")
      ->capture_default_str()
      ->check(CLI::Range(0, 1024));
}

std::optional<int> RunIndexCommands(const IndexArgs& args) {
  if (args.stream->parsed()) return RunStream(args);
  if (!args.index->parsed()) return std::nullopt;
  if (args.create->parsed()) return RunCreate(args);
  if (args.add->parsed()) return RunAdd(args);
  if (args.export_->parsed()) return RunExport(args);
  if (args.show->parsed()) return RunShow(args);
  if (args.stats->parsed()) return RunStats(args);
  if (args.compact->parsed()) return RunCompact(args);
  if (args.migrate->parsed()) return RunMigrate(args);
  return kExitUsage;
}

}  // namespace storycluster_cli
