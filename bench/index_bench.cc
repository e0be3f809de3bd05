// Index benchmark: the cost of one `add` of a day's articles to a large
// archive (docs/index.md, "At scale").
//
//   index_bench --db /tmp/archive.db --archive 1000000 --batch 10000
//
// The archive is built once (and resumed when the database holds part of
// it): --archive / --batch chunks of generated articles of the edited kind
// (storycluster generate --kind edited, each chunk its own seed), their
// dates spread evenly over --days (a feed of about archive/days articles a
// day), added one chunk per Add. Then --repetitions times, a child process
// opens the index and adds the next chunk of --batch articles, all
// published within one day after the archive's last, on one thread, to a
// copy of the archive (every run does the same work); each child reports
// the time to open, the time to add with Add's stages, and its own peak
// RSS. The report gives the medians and the database size per article.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "storycluster/storycluster.h"

extern char** environ;

namespace {

namespace sc = storycluster;

// Day zero of the generated archive.
const absl::Time kStart = absl::FromUnixSeconds(1609459200);  // 2021-01-01

// Chunk `k`: `n` generated articles with ids prefixed by the chunk, their
// dates mapped linearly onto [first, first + span).
std::vector<sc::Article> Chunk(size_t k, size_t n, absl::Time first,
                               absl::Duration span) {
  sc::SyntheticOptions options;
  options.seed = 1000 + k;
  options.articles = n;
  options.kind = sc::SyntheticKind::kEdited;
  sc::SyntheticCorpus corpus = sc::GenerateCorpus(options);
  absl::Time lo = absl::InfiniteFuture(), hi = absl::InfinitePast();
  for (const sc::Article& a : corpus.articles) {
    lo = std::min(lo, *a.published);
    hi = std::max(hi, *a.published);
  }
  const double scale =
      hi > lo ? absl::ToDoubleSeconds(span) / absl::ToDoubleSeconds(hi - lo)
              : 0.0;
  for (sc::Article& a : corpus.articles) {
    a.id = absl::StrCat("c", k, "-", a.id);
    a.published =
        first + absl::Seconds(absl::ToDoubleSeconds(*a.published - lo) * scale);
  }
  return std::move(corpus.articles);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  if (v.empty()) return 0;
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "index_bench: %s\n", status.ToString().c_str());
  return 3;
}

// The child: one timed open and add. Prints "key value" lines.
int Measure(const std::string& db, size_t chunk, size_t batch,
            absl::Time first) {
  std::vector<sc::Article> articles =
      Chunk(chunk, batch, first, absl::Hours(24));
  sc::IndexOptions options;
  options.pipeline.threads = 1;
  const absl::Time open_start = absl::Now();
  auto index = sc::Index::Open(db, options);
  if (!index.ok()) return Fail(index.status());
  const double open_seconds = absl::ToDoubleSeconds(absl::Now() - open_start);
  const absl::Time add_start = absl::Now();
  auto added = (*index)->Add(articles);
  if (!added.ok()) return Fail(added.status());
  const double add_seconds = absl::ToDoubleSeconds(absl::Now() - add_start);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf(
      "open %.6f\nadd %.6f\nwindow %zu\nadded %zu\narchive_copies "
      "%zu\npeak_mb %.1f\n",
      open_seconds, add_seconds, added->window_articles, added->added.size(),
      added->archive_copies, usage.ru_maxrss / 1024.0);
  for (const sc::StageTime& s : added->stages) {
    std::printf("stage:%s %.6f\n",
                absl::StrReplaceAll(s.stage, {{" ", "_"}}).c_str(), s.seconds);
  }
  return 0;
}

// Runs this program with `args`; returns its stdout's "key value" pairs.
absl::StatusOr<std::map<std::string, double>> RunChild(
    const std::vector<std::string>& args) {
  const std::string out = absl::StrCat(args[2], ".measure.txt");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> argv;
  for (const std::string& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr,
                                  argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return absl::InternalError("cannot start the child");
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError("the measuring child failed");
  }
  std::map<std::string, double> values;
  std::FILE* f = std::fopen(out.c_str(), "r");
  char key[128];
  double value = 0;
  while (f != nullptr && std::fscanf(f, "%127s %lf", key, &value) == 2) {
    values[key] = value;
  }
  if (f != nullptr) std::fclose(f);
  std::filesystem::remove(out);
  return values;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"storycluster index benchmark"};
  std::string db = "/tmp/storycluster-index-bench.db";
  size_t archive = 1000000, batch = 10000;
  double days = 1095;
  int repetitions = 3, build_threads = 2;
  size_t measure_chunk = 0;
  app.add_option("--db", db, "the archive database (built when missing)");
  app.add_option("--archive", archive, "articles in the archive")
      ->check(CLI::PositiveNumber);
  app.add_option("--batch", batch, "articles per add")
      ->check(CLI::PositiveNumber);
  app.add_option("--days", days, "days the archive spans")
      ->check(CLI::PositiveNumber);
  app.add_option("--repetitions", repetitions, "measured adds (median)")
      ->check(CLI::PositiveNumber);
  app.add_option("--build-threads", build_threads,
                 "threads while building the archive (its answers are the "
                 "same for any number)")
      ->check(CLI::PositiveNumber);
  app.add_option("--measure-chunk", measure_chunk,
                 "internal: the child adding this chunk");
  CLI11_PARSE(app, argc, argv);
  const size_t chunks = (archive + batch - 1) / batch;
  const absl::Duration chunk_span = absl::Seconds(days * 86400.0 / chunks);
  auto chunk_start = [&](size_t k) {
    // Measured chunks follow the archive a day apart.
    return k < chunks ? kStart + chunk_span * static_cast<double>(k)
                      : kStart + chunk_span * static_cast<double>(chunks) +
                            absl::Hours(24) * static_cast<double>(k - chunks);
  };
  if (measure_chunk > 0) {
    return Measure(db, measure_chunk, batch, chunk_start(measure_chunk));
  }

  // Build or resume the archive.
  {
    sc::IndexOptions options;
    options.create = !std::filesystem::exists(db);
    options.pipeline.threads = build_threads;
    auto index = sc::Index::Open(db, options);
    if (!index.ok()) return Fail(index.status());
    auto stats = (*index)->Stats();
    if (!stats.ok()) return Fail(stats.status());
    for (size_t k = static_cast<size_t>(stats->articles) / batch; k < chunks;
         ++k) {
      const absl::Time start = absl::Now();
      auto added = (*index)->Add(Chunk(k, batch, chunk_start(k), chunk_span));
      if (!added.ok()) return Fail(added.status());
      std::fprintf(stderr,
                   "built chunk %zu/%zu: %zu added, window %zu, %.1f s\n",
                   k + 1, chunks, added->added.size(), added->window_articles,
                   absl::ToDoubleSeconds(absl::Now() - start));
    }
  }
  auto archive_stats = [&]() -> absl::StatusOr<sc::IndexStats> {
    sc::IndexOptions options;
    options.read_only = true;
    STORYCLUSTER_ASSIGN_OR_RETURN(auto index, sc::Index::Open(db, options));
    return index->Stats();
  };
  auto before = archive_stats();
  if (!before.ok()) return Fail(before.status());
  if (before->articles < static_cast<int64_t>(archive)) {
    return Fail(absl::FailedPreconditionError("the archive is incomplete"));
  }
  std::printf("archive: %lld articles, %lld events, %.0f bytes an article\n",
              static_cast<long long>(before->articles),
              static_cast<long long>(before->events),
              static_cast<double>(before->database_bytes) /
                  static_cast<double>(before->articles));

  std::map<std::string, std::vector<double>> runs;
  // Each run adds the same next day to its own copy of the archive, so
  // that the runs measure the same work.
  std::string work = db + ".work";
  for (int r = 0; r < repetitions; ++r) {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(work + suffix);
    }
    std::filesystem::copy_file(db, work);
    // The copy's gigabytes would otherwise be written back during the
    // measured add and stall its commit's fsync.
    ::sync();
    auto values =
        RunChild({argv[0], "--db", work, "--batch", absl::StrCat(batch),
                  "--archive", absl::StrCat(archive), "--days",
                  absl::StrCat(days), "--measure-chunk", absl::StrCat(chunks)});
    if (!values.ok()) return Fail(values.status());
    for (const auto& [key, value] : *values) runs[key].push_back(value);
    std::printf(
        "run %d: open %.3f s, add %.3f s, window %.0f, archive "
        "copies %.0f, peak %.0f MB\n",
        r + 1, (*values)["open"], (*values)["add"], (*values)["window"],
        (*values)["archive_copies"], (*values)["peak_mb"]);
  }
  std::printf(
      "median of %d: open %.3f s, add %.3f s (one thread), peak RSS "
      "%.0f MB\n",
      repetitions, Median(runs["open"]), Median(runs["add"]),
      Median(runs["peak_mb"]));
  for (const auto& [key, values] : runs) {
    if (key.rfind("stage:", 0) == 0) {
      std::printf("  %s: %.3f s\n", key.substr(6).c_str(), Median(values));
    }
  }
  std::swap(db, work);
  auto after = archive_stats();
  if (!after.ok()) return Fail(after.status());
  std::printf("database: %.0f bytes an article (%lld articles, %.2f GB)\n",
              static_cast<double>(after->database_bytes) /
                  static_cast<double>(after->articles),
              static_cast<long long>(after->articles),
              static_cast<double>(after->database_bytes) / 1e9);
  return 0;
}
