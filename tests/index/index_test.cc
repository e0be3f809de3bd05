// The persistent index (storycluster/index.h): one batch gives what
// `cluster` gives, ids stay stable and new articles join archive clusters,
// known ids are skipped, copies of articles outside the window are found,
// compaction keeps them findable, a version-1 index is migrated, foreign
// and newer databases are refused, a second
// writer waits and is refused, readers see only committed batches, and
// kill -9 during `index add` loses nothing committed and keeps nothing
// half-written.
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "storycluster/storycluster.h"
#include "test_util.h"

namespace storycluster {
namespace {

IngestResult Examples() {
  auto ingest = IngestPaths({testing::SourceDir() + "/examples/data"});
  REQUIRE(ingest.ok());
  REQUIRE(ingest->articles.size() >= 10);
  return *std::move(ingest);
}

std::string ExportTsv(Index& index) {
  auto snapshot = index.Snapshot();
  REQUIRE(snapshot.ok());
  return FormatClustering(snapshot->ingest, snapshot->clustering,
                          OutputFormat::kTsv);
}

std::unique_ptr<Index> Create(const std::string& path,
                              IndexOptions options = {}) {
  options.create = true;
  auto index = Index::Open(path, std::move(options));
  REQUIRE(index.ok());
  return *std::move(index);
}

// Runs SQL on the file directly, as another program would.
void RawSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* error = nullptr;
  const int code = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  INFO((error != nullptr ? error : ""));
  sqlite3_free(error);
  sqlite3_close(db);
  REQUIRE(code == SQLITE_OK);
}

using testing::MakeArticle;

TEST_CASE("index: one batch is stored as cluster finds it", "[index]") {
  const auto dir = testing::TempDir("index_one_batch");
  const IngestResult examples = Examples();
  auto index = Create((dir / "a.db").string());
  auto added = index->Add(examples.articles);
  REQUIRE(added.ok());
  CHECK(added->batch == 1);
  CHECK(added->added.size() == examples.articles.size());
  CHECK(added->skipped.empty());
  auto batch = RunPipeline(examples.articles);
  REQUIRE(batch.ok());
  CHECK(ExportTsv(*index) ==
        FormatClustering(examples, *batch, OutputFormat::kTsv));
  // Every assignment started its clusters, and Lookup gives it back.
  for (const IndexAssignment& a : added->added) {
    CHECK(a.new_event);
    auto found = index->Lookup(a.id);
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    CHECK((*found)->assignment.event == a.event);
    CHECK((*found)->assignment.story == a.story);
    CHECK((*found)->batch == 1);
  }
  auto missing = index->Lookup("no-such-id");
  REQUIRE(missing.ok());
  CHECK(!missing->has_value());
  auto stats = index->Stats();
  REQUIRE(stats.ok());
  CHECK(stats->articles == static_cast<int64_t>(examples.articles.size()));
  CHECK(stats->batches == 1);
  CHECK(stats->events == static_cast<int64_t>(batch->num_events));
  CHECK(stats->storylines == static_cast<int64_t>(batch->num_stories));
  CHECK(stats->schema_version == kIndexSchemaVersion);
}

TEST_CASE("index: ids already in the index are skipped, the state unchanged",
          "[index]") {
  const auto dir = testing::TempDir("index_skip");
  const IngestResult examples = Examples();
  auto index = Create((dir / "a.db").string());
  REQUIRE(index->Add(examples.articles).ok());
  const std::string before = ExportTsv(*index);
  auto again = index->Add(examples.articles);
  REQUIRE(again.ok());
  CHECK(again->batch == 0);
  CHECK(again->added.empty());
  CHECK(again->skipped.size() == examples.articles.size());
  CHECK(ExportTsv(*index) == before);
  auto stats = index->Stats();
  REQUIRE(stats.ok());
  CHECK(stats->batches == 1);
  // A repeat inside one batch is skipped too.
  const absl::Time t =
      absl::FromCivil(absl::CivilDay(2025, 1, 2), absl::UTCTimeZone());
  const Article a = MakeArticle("fresh-1", "A title", "Some words here.", t);
  auto twice = index->Add(std::vector<Article>{a, a});
  REQUIRE(twice.ok());
  CHECK(twice->added.size() == 1);
  REQUIRE(twice->skipped.size() == 1);
  CHECK(twice->skipped[0] == "fresh-1");
}

TEST_CASE(
    "index: outside the window ids stay; a later reprint joins its "
    "source",
    "[index]") {
  const auto dir = testing::TempDir("index_stable");
  const IngestResult examples = Examples();
  auto index = Create((dir / "a.db").string());
  auto one = index->Add(examples.articles);
  REQUIRE(one.ok());
  const std::string before = ExportTsv(*index);

  // Years later and on another subject: nothing of the archive is in its
  // window, so nothing of the archive changes.
  const absl::Time later =
      absl::FromCivil(absl::CivilDay(2031, 5, 1), absl::UTCTimeZone());
  auto two = index->Add(std::vector<Article>{MakeArticle(
      "later-1", "Glacier survey finds record melt",
      "Researchers measured the retreat of the northern glacier over "
      "the summer and found the fastest melt on record.",
      later)});
  REQUIRE(two.ok());
  // Its window is the undated articles (always in it) and their events.
  std::set<std::string> undated_events;
  for (size_t i = 0; i < examples.articles.size(); ++i) {
    if (!examples.articles[i].published) {
      undated_events.insert(one->added[i].event);
    }
  }
  size_t expected_window = 0;
  for (const IndexAssignment& a : one->added) {
    expected_window += undated_events.count(a.event);
  }
  CHECK(two->window_articles == expected_window);
  CHECK(two->window_moved == 0);
  REQUIRE(two->added.size() == 1);
  CHECK(two->added[0].new_copy_group);
  CHECK(two->added[0].new_event);
  CHECK(two->added[0].new_story);
  const std::string after = ExportTsv(*index);
  CHECK(after.substr(0, before.size()) == before);
  CHECK(after.substr(before.size()).rfind("later-1\t", 0) == 0);

  // A reprint of a stored article, six hours after it: its source is in
  // the window, and the reprint joins the source's copy group, event and
  // storyline (as stored after the batch).
  const Article* source = nullptr;
  for (const Article& a : examples.articles) {
    if (a.published && a.text.size() > 400) source = &a;
  }
  REQUIRE(source != nullptr);
  Article reprint = *source;
  reprint.id = "reprint-of-" + source->id;
  reprint.published = *source->published + absl::Hours(6);
  auto three = index->Add(std::vector<Article>{reprint});
  REQUIRE(three.ok());
  CHECK(three->window_articles > 0);
  REQUIRE(three->added.size() == 1);
  const IndexAssignment& copy = three->added[0];
  auto stored = index->Lookup(source->id);
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  CHECK(copy.copy_group == (*stored)->assignment.copy_group);
  CHECK(copy.event == (*stored)->assignment.event);
  CHECK(copy.story == (*stored)->assignment.story);
  CHECK(!copy.new_copy_group);
  CHECK(!copy.original);
  CHECK((*stored)->assignment.original);
  // An event keeps one storyline, across all batches.
  auto snapshot = index->Snapshot();
  REQUIRE(snapshot.ok());
  std::map<uint32_t, std::set<uint32_t>> stories_of_event;
  std::map<uint32_t, int> originals_of_group;
  for (const Assignment& a : snapshot->clustering.assignments) {
    stories_of_event[a.event].insert(a.story);
    originals_of_group[a.copy_group] += a.original ? 1 : 0;
  }
  for (const auto& [event, stories] : stories_of_event) {
    CHECK(stories.size() == 1);
  }
  for (const auto& [group, originals] : originals_of_group) {
    CHECK(originals == 1);
  }
  auto members = index->Members(copy.event);
  REQUIRE(members.ok());
  CHECK(members->size() >= 2);
  CHECK(!index->Members("x12").ok());
  CHECK(!index->Members("e").ok());
}

// One number from SQL on the file directly.
int64_t RawInt(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(s) == SQLITE_ROW);
  const int64_t value = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return value;
}

// A dated example article with a long text (a copy of it has enough
// shingles to be judged on).
Article LongDated(const IngestResult& examples, size_t nth = 0) {
  for (const Article& a : examples.articles) {
    if (a.published && a.text.size() > 400 && nth-- == 0) return a;
  }
  FAIL("the examples have too few long dated articles");
  return {};
}

// An edited reprint: another headline and id, its last paragraph dropped.
Article Reprint(const Article& source, std::string id, absl::Time published) {
  Article r = source;
  r.id = std::move(id);
  r.title = "Reprinted: " + source.title;
  const size_t cut = r.text.rfind("\n\n");
  if (cut != std::string::npos && cut > r.text.size() * 3 / 4) {
    r.text.resize(cut);
  }
  r.published = published;
  return r;
}

TEST_CASE("index: copies of articles outside the window are found", "[index]") {
  const auto dir = testing::TempDir("index_archive_copies");
  const IngestResult examples = Examples();
  IndexOptions options;
  options.window_days = 1;
  auto index = Create((dir / "a.db").string(), options);
  const Article source = LongDated(examples);
  const absl::Time t = *source.published;
  REQUIRE(index->Add(std::vector<Article>{source}).ok());
  const Article other = LongDated(examples, 1);
  Article unrelated = other;
  unrelated.published = t + absl::Hours(24 * 30);
  REQUIRE(index->Add(std::vector<Article>{unrelated}).ok());

  // Sixty days on, far outside the one-day window: found by its signature.
  auto copy = index->Add(std::vector<Article>{
      Reprint(source, "reprint", t + absl::Hours(24 * 60))});
  REQUIRE(copy.ok());
  CHECK(copy->window_articles == 0);
  CHECK(copy->archive_copies == 1);
  REQUIRE(copy->added.size() == 1);
  auto stored = index->Lookup(source.id);
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  const IndexAssignment& a = copy->added[0];
  CHECK(a.copy_group == (*stored)->assignment.copy_group);
  CHECK(a.event == (*stored)->assignment.event);
  CHECK(a.story == (*stored)->assignment.story);
  CHECK(!a.new_copy_group);
  CHECK(!a.original);
  CHECK((*stored)->assignment.original);

  // An article that copies nothing stored starts its own clusters.
  Article fresh = MakeArticle(
      "fresh", "Harbour dredging starts",
      "Work began on Monday to deepen the harbour channel so that larger "
      "ships can dock, the port authority said in a statement.",
      t + absl::Hours(24 * 90));
  auto lone = index->Add(std::vector<Article>{fresh});
  REQUIRE(lone.ok());
  CHECK(lone->archive_copies == 0);
  REQUIRE(lone->added.size() == 1);
  CHECK(lone->added[0].new_copy_group);
  CHECK(lone->added[0].new_event);
  // Every article has its signature and band keys.
  const std::string path = (dir / "a.db").string();
  CHECK(RawInt(path, "SELECT COUNT(*) FROM signatures") == 4);
  CHECK(RawInt(path, "SELECT SUM(length(rows)) / 4 FROM copy_bands") == 4);
}

TEST_CASE("index: template instances outside the window are no copies",
          "[index]") {
  // Daily market reports share most of their words; one a day, each far
  // outside the others' one-day windows, so only the archive path sees
  // them together. In one `cluster` run they stay apart (the template
  // rule); against the archive they must too, not gather into one group.
  const auto dir = testing::TempDir("index_templates");
  SyntheticOptions options;
  options.kind = SyntheticKind::kTemplate;
  options.articles = 120;
  options.copy_fraction = 0;
  const SyntheticCorpus corpus = GenerateCorpus(options);
  IndexOptions index_options;
  index_options.window_days = 1;
  auto index = Create((dir / "a.db").string(), index_options);
  const absl::Time start =
      absl::FromCivil(absl::CivilDay(2024, 1, 1), absl::UTCTimeZone());
  size_t archive_copies = 0;
  std::set<std::string> groups;
  for (size_t i = 0; i < corpus.articles.size(); ++i) {
    Article a = corpus.articles[i];
    a.published = start + absl::Hours(72 * static_cast<int64_t>(i));
    auto added = index->Add(std::vector<Article>{a});
    REQUIRE(added.ok());
    archive_copies += added->archive_copies;
    REQUIRE(added->added.size() == 1);
    groups.insert(added->added[0].copy_group);
  }
  auto batch = RunPipeline(corpus.articles);
  REQUIRE(batch.ok());
  INFO("archive copies " << archive_copies << ", batch copy groups "
                         << batch->num_copy_groups);
  CHECK(groups.size() + 5 >= batch->num_copy_groups);
  // A reprint of one is still a copy.
  Article reprint = corpus.articles[10];
  reprint.id = "reprint";
  reprint.published = start + absl::Hours(72 * 200);
  auto copy = index->Add(std::vector<Article>{reprint});
  REQUIRE(copy.ok());
  CHECK(copy->archive_copies == 1);
}

TEST_CASE("index: an undated article is in the windows of the next days only",
          "[index]") {
  const auto dir = testing::TempDir("index_undated");
  const std::string path = (dir / "a.db").string();
  const IngestResult examples = Examples();
  Article undated = LongDated(examples);
  undated.published.reset();
  auto index = Create(path);
  REQUIRE(index->Add(std::vector<Article>{undated}).ok());
  Article other = LongDated(examples, 1);
  other.id = "other-1";
  auto soon = index->Add(std::vector<Article>{other});
  REQUIRE(soon.ok());
  CHECK(soon->window_articles == 1);  // the undated one, added just now
  // Fifteen days later (the batches' times moved back): out of the
  // 14-day window.
  const std::string past =
      absl::FormatTime(absl::RFC3339_sec, absl::Now() - absl::Hours(24 * 15),
                       absl::UTCTimeZone());
  RawSql(path, "UPDATE batches SET added_at = '" + past + "'");
  Article later = LongDated(examples, 2);
  later.id = "later-1";
  later.published = *other.published + absl::Hours(24 * 365);
  auto late = index->Add(std::vector<Article>{later});
  REQUIRE(late.ok());
  CHECK(late->window_articles == 0);
}

TEST_CASE("index: compact drops text before a date; copies are still found",
          "[index]") {
  const auto dir = testing::TempDir("index_compact");
  const std::string path = (dir / "a.db").string();
  const IngestResult examples = Examples();
  auto index = Create(path);
  const Article source = LongDated(examples);
  const absl::Time t = *source.published;
  std::vector<Article> first = {source, LongDated(examples, 1),
                                LongDated(examples, 2)};
  for (size_t i = 0; i < first.size(); ++i) {
    first[i].published = t + absl::Hours(static_cast<int64_t>(i));
  }
  REQUIRE(index->Add(first).ok());
  auto before = index->Lookup(source.id);
  REQUIRE(before.ok());
  REQUIRE(before->has_value());

  auto compacted = index->Compact(t + absl::Hours(24));
  REQUIRE(compacted.ok());
  CHECK(compacted->compacted == 3);
  auto again = index->Compact(t + absl::Hours(24));
  REQUIRE(again.ok());
  CHECK(again->compacted == 0);
  auto after = index->Lookup(source.id);
  REQUIRE(after.ok());
  REQUIRE(after->has_value());
  CHECK((*after)->compacted);
  CHECK((*after)->article.text.empty());
  CHECK((*after)->article.title == source.title);
  CHECK((*after)->assignment.event == (*before)->assignment.event);
  CHECK((*after)->assignment.copy_group == (*before)->assignment.copy_group);
  auto stats = index->Stats();
  REQUIRE(stats.ok());
  CHECK(stats->compacted == 3);
  CHECK(RawInt(path, "SELECT COUNT(*) FROM articles WHERE text <> ''") == 0);

  // Two days on, inside the 14-day window, but compacted articles join no
  // window; a copy of one still joins its copy group.
  auto copy = index->Add(
      std::vector<Article>{Reprint(source, "reprint", t + absl::Hours(48))});
  REQUIRE(copy.ok());
  CHECK(copy->window_articles == 0);
  CHECK(copy->archive_copies == 1);
  REQUIRE(copy->added.size() == 1);
  CHECK(copy->added[0].copy_group == (*before)->assignment.copy_group);
  CHECK(copy->added[0].event == (*before)->assignment.event);
  CHECK(!copy->added[0].original);
  // Read-only: refused.
  IndexOptions read_only;
  read_only.read_only = true;
  auto reader = Index::Open(path, read_only);
  REQUIRE(reader.ok());
  CHECK(absl::IsFailedPrecondition((*reader)->Compact(t).status()));
}

TEST_CASE("index: a version-1 index is migrated when opened for writing",
          "[index]") {
  const auto dir = testing::TempDir("index_migrate");
  const std::string path = (dir / "a.db").string();
  const IngestResult examples = Examples();
  REQUIRE(Create(path)->Add(examples.articles).ok());
  std::string exported;
  {
    auto index = Index::Open(path);
    REQUIRE(index.ok());
    exported = ExportTsv(**index);
  }
  // What version 1 had: no signatures, band keys or compaction
  // (docs/index.md, "Migrations").
  RawSql(path,
         "DROP TABLE copy_bands; DROP TABLE signatures; "
         "ALTER TABLE articles DROP COLUMN compacted; "
         "DELETE FROM meta WHERE key LIKE 'signature_%' OR key LIKE 'lsh_%'; "
         "UPDATE meta SET value = '1' WHERE key = 'schema_version'; "
         "PRAGMA user_version=1");
  IndexOptions read_only;
  read_only.read_only = true;
  auto refused = Index::Open(path, read_only);
  REQUIRE(!refused.ok());
  CHECK(absl::IsFailedPrecondition(refused.status()));
  CHECK_THAT(
      std::string(refused.status().message()),
      Catch::Contains("schema version 1") && Catch::Contains("index migrate"));
  CHECK(RawInt(path, "PRAGMA user_version") == 1);

  auto migrated = Index::Open(path);
  REQUIRE(migrated.ok());
  CHECK(RawInt(path, "PRAGMA user_version") == kIndexSchemaVersion);
  const auto articles = static_cast<int64_t>(examples.articles.size());
  CHECK(RawInt(path, "SELECT COUNT(*) FROM signatures") == articles);
  CHECK(RawInt(path, "SELECT SUM(length(rows)) / 4 FROM copy_bands") ==
        articles);
  CHECK(ExportTsv(**migrated) == exported);
  auto stats = (*migrated)->Stats();
  REQUIRE(stats.ok());
  CHECK(stats->schema_version == kIndexSchemaVersion);
  // The migrated signatures find copies: a reprint years later.
  const Article source = LongDated(examples);
  auto copy = (*migrated)->Add(std::vector<Article>{
      Reprint(source, "reprint", *source.published + absl::Hours(24 * 3650))});
  REQUIRE(copy.ok());
  CHECK(copy->archive_copies == 1);
  auto stored = (*migrated)->Lookup(source.id);
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  REQUIRE(copy->added.size() == 1);
  CHECK(copy->added[0].copy_group == (*stored)->assignment.copy_group);
}

TEST_CASE("index: missing, existing, foreign and newer databases", "[index]") {
  const auto dir = testing::TempDir("index_open");
  const std::string path = (dir / "a.db").string();
  CHECK(absl::IsNotFound(Index::Open(path).status()));
  Create(path);
  IndexOptions create;
  create.create = true;
  CHECK(absl::IsAlreadyExists(Index::Open(path, create).status()));
  CHECK(Index::Open(path).ok());

  // Written by a newer version: refused, with its version named.
  RawSql(path, "PRAGMA user_version=7");
  auto newer = Index::Open(path);
  REQUIRE(!newer.ok());
  CHECK(absl::IsFailedPrecondition(newer.status()));
  CHECK_THAT(std::string(newer.status().message()),
             Catch::Contains("schema version 7") &&
                 Catch::Contains(
                     absl::StrCat("reads version ", kIndexSchemaVersion)) &&
                 Catch::Contains("newer"));

  // Another program's SQLite file, and a file that is not SQLite.
  const std::string other = (dir / "other.db").string();
  RawSql(other, "CREATE TABLE t(x)");
  auto foreign = Index::Open(other);
  REQUIRE(!foreign.ok());
  CHECK_THAT(std::string(foreign.status().message()),
             Catch::Contains("not a storycluster index"));
  testing::WriteFile(dir / "text.db", "hello, not a database\n");
  CHECK(!Index::Open((dir / "text.db").string()).ok());

  IndexOptions bad;
  bad.window_days = 0;
  CHECK(absl::IsInvalidArgument(Index::Open(path, bad).status()));
}

TEST_CASE("index: read-only, a second writer, and readers during a write",
          "[index]") {
  const auto dir = testing::TempDir("index_writers");
  const std::string path = (dir / "a.db").string();
  const IngestResult examples = Examples();
  std::vector<Article> first(examples.articles.begin(),
                             examples.articles.begin() + 5);
  REQUIRE(Create(path)->Add(first).ok());

  IndexOptions read_only;
  read_only.read_only = true;
  auto reader = Index::Open(path, read_only);
  REQUIRE(reader.ok());
  CHECK(absl::IsFailedPrecondition((*reader)->Add(examples.articles).status()));

  // Another connection holds the write lock with an uncommitted batch.
  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &other) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other,
                       "BEGIN IMMEDIATE; INSERT INTO batches VALUES(99, 'x', "
                       "0, 0)",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  IndexOptions waits;
  waits.busy_timeout = absl::Milliseconds(200);
  auto writer = Index::Open(path, waits);
  REQUIRE(writer.ok());
  const auto start = std::chrono::steady_clock::now();
  auto refused = (*writer)->Add(examples.articles);
  const auto waited = std::chrono::steady_clock::now() - start;
  REQUIRE(!refused.ok());
  CHECK(absl::IsUnavailable(refused.status()));
  CHECK(waited >= std::chrono::milliseconds(150));
  // Readers work meanwhile, and see only what was committed.
  auto stats = (*reader)->Stats();
  REQUIRE(stats.ok());
  CHECK(stats->batches == 1);
  CHECK(stats->articles == 5);
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  auto now = (*writer)->Add(examples.articles);
  REQUIRE(now.ok());
  CHECK(now->skipped.size() == 5);
}

// The CLI on `args`; its exit status.
int Cli(const std::string& args) {
  const std::string command =
      std::string(STORYCLUSTER_CLI) + " " + args + " >/dev/null 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::set<std::string> Ids(const std::string& jsonl) {
  std::set<std::string> ids;
  std::istringstream in(jsonl);
  std::string line;
  while (std::getline(in, line)) {
    const size_t at = line.find("\"id\":\"");
    REQUIRE(at != std::string::npos);
    const size_t start = at + 6;
    ids.insert(line.substr(start, line.find('"', start) - start));
  }
  return ids;
}

TEST_CASE("index: the CLI compacts and migrates", "[index]") {
  const auto dir = testing::TempDir("index_cli_compact");
  const std::string db = (dir / "a.db").string();
  const std::string examples = testing::SourceDir() + "/examples/data";
  REQUIRE(Cli("index create " + db) == 0);
  REQUIRE(Cli("index add " + db + " " + examples + " -o " +
              (dir / "add.jsonl").string()) == 0);
  const size_t articles = Ids(testing::ReadFile(dir / "add.jsonl")).size();
  REQUIRE(articles >= 10);
  CHECK(Cli("index compact " + db + " --before not-a-date") == 2);
  CHECK(Cli("index compact " + db) == 2);  // --before is required
  REQUIRE(Cli("index compact " + db + " --before 2100-01-01") == 0);
  REQUIRE(Cli("index stats " + db + " -o " + (dir / "stats.json").string()) ==
          0);
  CHECK_THAT(testing::ReadFile(dir / "stats.json"),
             Catch::Contains(absl::StrCat("\"compacted\":", articles)));
  CHECK(Cli("index migrate " + db) == 0);
  CHECK(Cli("index migrate " + (dir / "none.db").string()) == 2);
  REQUIRE(Cli("index export " + db + " --format tsv -o " +
              (dir / "out.tsv").string()) == 0);
  // Compacted articles keep their clusters: all are exported.
  const std::string tsv = testing::ReadFile(dir / "out.tsv");
  CHECK(static_cast<size_t>(std::count(tsv.begin(), tsv.end(), '\n')) ==
        articles + 1);
}

TEST_CASE("index: kill -9 during add keeps exactly the committed batches",
          "[index][crash]") {
  const auto dir = testing::TempDir("index_crash");
  // Six batches of generated articles.
  const std::string corpus = (dir / "corpus.jsonl").string();
  REQUIRE(Cli("generate --articles 900 --seed 5 -o " + corpus) == 0);
  std::vector<std::string> batches;
  std::vector<std::set<std::string>> batch_ids;
  {
    std::istringstream in(testing::ReadFile(corpus));
    std::string line, part;
    int lines = 0;
    while (std::getline(in, line)) {
      part += line + "\n";
      if (++lines % 150 == 0) {
        const std::string file =
            (dir / ("batch" + std::to_string(batches.size()) + ".jsonl"))
                .string();
        testing::WriteFile(file, part);
        batches.push_back(file);
        batch_ids.push_back(Ids(part));
        part.clear();
      }
    }
  }
  REQUIRE(batches.size() == 6);
  std::string adds;
  for (const std::string& b : batches) {
    absl::StrAppend(&adds, STORYCLUSTER_CLI, " index add DB ", b,
                    " -q -j 1 -o /dev/null || exit 1; ");
  }
  auto run_adds = [&](const std::string& db) {
    std::string script = adds;
    for (size_t at; (at = script.find(" DB ")) != std::string::npos;) {
      script.replace(at, 4, " " + db + " ");
    }
    return script;
  };
  // The uninterrupted run.
  const std::string whole = (dir / "whole.db").string();
  REQUIRE(Cli("index create " + whole) == 0);
  REQUIRE(std::system(run_adds(whole).c_str()) == 0);
  auto reference = Index::Open(whole);
  REQUIRE(reference.ok());
  const std::string expected = ExportTsv(**reference);

  // Time of the whole run, to spread the kills over it.
  const auto t0 = std::chrono::steady_clock::now();
  const std::string timing = (dir / "timing.db").string();
  REQUIRE(Cli("index create " + timing) == 0);
  REQUIRE(std::system(run_adds(timing).c_str()) == 0);
  const auto span = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - t0);

  std::mt19937_64 rng(11);
  int interrupted = 0;
  for (int moment = 0; moment < 20; ++moment) {
    const std::string db =
        (dir / ("crash" + std::to_string(moment) + ".db")).string();
    REQUIRE(Cli("index create " + db) == 0);
    const std::string script = run_adds(db);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::setpgid(0, 0);
      ::execl("/bin/sh", "sh", "-c", script.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::setpgid(pid, pid);
    std::this_thread::sleep_for(std::chrono::microseconds(
        rng() % static_cast<uint64_t>(std::max<int64_t>(1, span.count()))));
    ::kill(-pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    interrupted += WIFSIGNALED(status) ? 1 : 0;

    // It opens, passes SQLite's integrity check, and holds whole batches:
    // a prefix of them, as many as its batches table says.
    auto index = Index::Open(db);
    REQUIRE(index.ok());
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(db.c_str(), &raw) == SQLITE_OK);
    sqlite3_stmt* check = nullptr;
    REQUIRE(sqlite3_prepare_v2(raw, "PRAGMA integrity_check", -1, &check,
                               nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(check) == SQLITE_ROW);
    CHECK(std::string(reinterpret_cast<const char*>(
              sqlite3_column_text(check, 0))) == "ok");
    sqlite3_finalize(check);
    sqlite3_close(raw);
    auto snapshot = (*index)->Snapshot();
    REQUIRE(snapshot.ok());
    std::set<std::string> stored;
    for (const Article& a : snapshot->ingest.articles) stored.insert(a.id);
    auto stats = (*index)->Stats();
    REQUIRE(stats.ok());
    size_t whole_batches = 0;
    std::set<std::string> expected_ids;
    while (whole_batches < batch_ids.size() &&
           std::includes(stored.begin(), stored.end(),
                         batch_ids[whole_batches].begin(),
                         batch_ids[whole_batches].end())) {
      expected_ids.insert(batch_ids[whole_batches].begin(),
                          batch_ids[whole_batches].end());
      ++whole_batches;
    }
    INFO("moment " << moment);
    CHECK(stored == expected_ids);
    CHECK(stats->batches == static_cast<int64_t>(whole_batches));
    index->reset();

    // Running the same adds again reaches the uninterrupted run's state.
    REQUIRE(std::system(run_adds(db).c_str()) == 0);
    auto finished = Index::Open(db);
    REQUIRE(finished.ok());
    CHECK(ExportTsv(**finished) == expected);
  }
  // Most moments fall inside the run (a kill after the last add finds the
  // shell gone and changes nothing, which the checks above also cover).
  CHECK(interrupted >= 10);
}

}  // namespace
}  // namespace storycluster
