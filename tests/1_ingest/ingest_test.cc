// Ingest of every supported format: JSON Lines (field names, types, dates),
// text, Markdown with front matter, directories and streams.
#include "storycluster/ingest.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>

#include "absl/time/time.h"
#include "test_util.h"

namespace storycluster {
namespace {

absl::Time Utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s),
                         absl::UTCTimeZone());
}

using testing::IngestJsonl;

TEST_CASE("timestamps: ISO 8601, offsets, RFC 2822 and epochs") {
  CHECK(ParseTimestamp("2021-03-14") == Utc(2021, 3, 14));
  CHECK(ParseTimestamp("2021-03-14T01:27:54Z") == Utc(2021, 3, 14, 1, 27, 54));
  CHECK(ParseTimestamp("2021-03-14T09:27:54+08:00") ==
        Utc(2021, 3, 14, 1, 27, 54));
  CHECK(ParseTimestamp("2021-03-14 01:27:54") == Utc(2021, 3, 14, 1, 27, 54));
  CHECK(ParseTimestamp("2021-03-14T01:27:54.250Z") ==
        Utc(2021, 3, 14, 1, 27, 54) + absl::Milliseconds(250));
  CHECK(ParseTimestamp("Sun, 14 Mar 2021 01:27:54 GMT") ==
        Utc(2021, 3, 14, 1, 27, 54));
  CHECK(ParseTimestamp("1615685274") == Utc(2021, 3, 14, 1, 27, 54));
  CHECK(ParseTimestamp("1615685274000") == Utc(2021, 3, 14, 1, 27, 54));
  CHECK_FALSE(ParseTimestamp("yesterday").has_value());
  CHECK_FALSE(ParseTimestamp("true").has_value());
  CHECK_FALSE(ParseTimestamp("").has_value());
  // Epochs past what int64_t milliseconds hold are no time (found by
  // fuzz_markdown: a 58-digit publishedDateTime).
  CHECK_FALSE(ParseTimestamp("2028888888888888888888888888888888888888888888888"
                             "888888888")
                  .has_value());
  CHECK_FALSE(TimestampFromEpoch(0x1p63).has_value());
  CHECK_FALSE(TimestampFromEpoch(1e300).has_value());
  CHECK(TimestampFromEpoch(0x1p62) == absl::FromUnixMillis(int64_t{1} << 62));
}

TEST_CASE("timestamps: dates written out, parsed with ICU") {
  CHECK(ParseTimestamp("April 3, 2018") == Utc(2018, 4, 3));
  CHECK(ParseTimestamp("Apr 3, 2018") == Utc(2018, 4, 3));
  CHECK(ParseTimestamp("april 3, 2018") == Utc(2018, 4, 3));
  CHECK(ParseTimestamp("3 April 2018") == Utc(2018, 4, 3));
  CHECK(ParseTimestamp("Tuesday, April 3, 2018") == Utc(2018, 4, 3));
  CHECK(ParseTimestamp("April 3, 2018 10:00 AM") == Utc(2018, 4, 3, 10));
  CHECK(ParseTimestamp("10:00pm, 26 Jul 2025") == Utc(2025, 7, 26, 22));
  CHECK(ParseTimestamp("10:00 PM, 26 Jul 2025") == Utc(2025, 7, 26, 22));
  // A month alone is its first day.
  CHECK(ParseTimestamp("2018-04") == Utc(2018, 4, 1));
  CHECK(ParseTimestamp("April 2018") == Utc(2018, 4, 1));
  // Refused: impossible days, no year, implausible years, extra words.
  CHECK_FALSE(ParseTimestamp("February 31, 2018").has_value());
  CHECK_FALSE(ParseTimestamp("April 3").has_value());
  CHECK_FALSE(ParseTimestamp("April 3, 1066").has_value());
  CHECK_FALSE(ParseTimestamp("April 3, 2018 was a Tuesday").has_value());
  CHECK_FALSE(ParseTimestamp("2018-13").has_value());
  CHECK(ParseWrittenDate(" 3 April 2018 ") == Utc(2018, 4, 3));
}

TEST_CASE("timestamps: a byline near the top dates an undated article") {
  CHECK(DateFromText("Advertisement\nA headline\nPublished: 10:00pm, 26 Jul "
                     "2025\nThe report begins here.") == Utc(2025, 7, 26, 22));
  CHECK(DateFromText("May 3, 2013\nThe report.") == Utc(2013, 5, 3));
  CHECK(DateFromText("Last updated on: 14 June 2013\nText.") ==
        Utc(2013, 6, 14));
  // A month alone, a caption with a date inside it, a date inside a
  // sentence: no publication date.
  CHECK_FALSE(DateFromText("June 2019\nText.").has_value());
  CHECK_FALSE(DateFromText("Kim reads a letter in June 2019. Photo: KCNA\n")
                  .has_value());
  CHECK_FALSE(
      DateFromText("On April 3, 2018 the council met and voted.").has_value());
  // Only the first 12 non-empty lines are read.
  std::string late;
  for (int i = 0; i < 12; ++i) late += "A line of the report.\n\n";
  CHECK_FALSE(DateFromText(late + "April 3, 2018\n").has_value());
  // Through ingest: metadata first, the byline only when it has none.
  const IngestResult r = IngestJsonl(
      R"({"id": "a", "text": "Published: April 3, 2018\nBody."})"
      "\n"
      R"({"id": "b", "date": "2021-03-14", "text": "Published: April 3, 2018\nBody."})"
      "\n"
      R"({"id": "c", "text": "Body without a date."})");
  REQUIRE(r.articles.size() == 3);
  CHECK(r.articles[0].published == Utc(2018, 4, 3));
  CHECK(r.articles[1].published == Utc(2021, 3, 14));
  CHECK_FALSE(r.articles[2].published.has_value());
}

TEST_CASE("timestamps: a byline's date beside a time, zone or ordinal") {
  // A whole-line pattern reads the time too; beside the other forms the
  // day is read and the time is not.
  CHECK(DateFromText("Oct 9, 2019, 4: 05 PM\nThe report.") ==
        Utc(2019, 10, 9, 16, 5));
  CHECK(DateFromText("Oct 9, 2019 | 4: 05 PM\nThe report.") ==
        Utc(2019, 10, 9));
  CHECK(DateFromText("9 October 2019 | 16:05 CEST\nText.") == Utc(2019, 10, 9));
  CHECK(DateFromText("4:05 p.m. EDT Oct 9, 2019\nText.") == Utc(2019, 10, 9));
  CHECK(DateFromText("Updated: October 9, 2019 16: 05 (GMT+02: 00)\nText.") ==
        Utc(2019, 10, 9));
  CHECK(DateFromText("October 22nd, 2019 at 9: 15 am\nText.") ==
        Utc(2019, 10, 22));
  CHECK(DateFromText("OCTOBER 1ST, 2019\nText.") == Utc(2019, 10, 1));
  // A date with words of text beside it is not a byline, nor is a
  // sentence that starts with one, nor a word that only looks like a
  // zone when it is longer ("UPDATES" is no zone).
  CHECK_FALSE(DateFromText("Oct 9, 2019 was the wettest day of the year\n")
                  .has_value());
  CHECK_FALSE(DateFromText("The vote on Oct 9, 2019 at noon\n").has_value());
  CHECK_FALSE(DateFromText("UPDATES 4: 05 PM Oct 9, 2019\n").has_value());
  CHECK_FALSE(DateFromText("Flights resumed Oct 9, 2019.\n").has_value());
  // "1st" and "21st" are ordinals; a word such as "1stop" is left alone.
  CHECK_FALSE(DateFromText("Oct 1stop, 2019\n").has_value());
  // Through ingest: a title that is a byline dates the article, when
  // neither the metadata nor the text does.
  const IngestResult r = IngestJsonl(
      R"({"id": "a", "title": "Oct 9, 2019 | 4: 05 PM", "text": "Body."})"
      "\n"
      R"({"id": "b", "title": "Oct 9, 2019", "text": "Published: April 3, 2018\nBody."})"
      "\n"
      R"({"id": "c", "title": "A headline", "text": "Body."})");
  REQUIRE(r.articles.size() == 3);
  CHECK(r.articles[0].published == Utc(2019, 10, 9));
  CHECK(r.articles[1].published == Utc(2019, 10, 9));
  CHECK_FALSE(r.articles[2].published.has_value());
}

TEST_CASE("JSONL: recognised field names, priorities and types") {
  const IngestResult r = IngestJsonl(
      // id as integer, headline/maintext/date_publish, source object.
      R"({"dId": 17, "headline": "H", "maintext": "Body one.", "date_publish": "2021-03-14 01:27:54", "source": {"name": "Reuters", "domain": "reuters.com"}, "webUrl": "http://x/1"})"
      "\n"
      // "first present wins": id before doc_id, text before description.
      R"({"doc_id": "ignored", "id": "two", "description": "desc", "text": "main", "published": 1615685274000, "outlet": "CNN"})"
      "\n"
      // An unparsable date falls back to the next name; unknown fields ignored.
      R"({"id": "three", "text": "t", "published": "soon", "timestamp": "2021-03-15", "extra": [1, {"a": null}]})"
      "\n"
      // Only domain given; null is "absent"; empty text falls back.
      R"({"uuid": "four", "title": null, "text": "", "body": "fallback body", "provider": {"domain": "scmp.com"}})"
      "\n");
  REQUIRE(r.rejections.empty());
  REQUIRE(r.articles.size() == 4);
  const Article& a = r.articles[0];
  CHECK(a.id == "17");
  CHECK(a.title == "H");
  CHECK(a.text == "Body one.");
  CHECK(a.source == "Reuters");
  CHECK(a.url == "http://x/1");
  CHECK(a.published == Utc(2021, 3, 14, 1, 27, 54));
  CHECK(a.origin.ToString() == "in.jsonl:1");
  CHECK(r.articles[1].id == "two");
  CHECK(r.articles[1].text == "main");
  CHECK(r.articles[1].source == "CNN");
  CHECK(r.articles[1].published == Utc(2021, 3, 14, 1, 27, 54));
  CHECK(r.articles[2].published == Utc(2021, 3, 15));
  CHECK(r.articles[3].text == "fallback body");
  CHECK(r.articles[3].source == "scmp.com");
  CHECK(r.articles[3].title.empty());
}

TEST_CASE("JSONL: an unparsable date is kept as unknown with a warning") {
  const IngestResult r =
      IngestJsonl(R"({"id": "a", "text": "t", "date": "next tuesday"})");
  REQUIRE(r.articles.size() == 1);
  CHECK_FALSE(r.articles[0].published.has_value());
  REQUIRE(r.warnings.size() == 1);
  CHECK_THAT(r.warnings[0].message, Catch::Contains("next tuesday"));
}

TEST_CASE("JSONL: field names can be overridden") {
  IngestOptions options;
  REQUIRE(options.fields.Override("text=story_body").ok());
  REQUIRE(options.fields.Override("id = key").ok());
  CHECK_FALSE(options.fields.Override("colour=x").ok());
  CHECK_FALSE(options.fields.Override("text=").ok());
  const IngestResult r = IngestJsonl(
      R"({"key": "k1", "text": "not used", "story_body": "used"})", options);
  REQUIRE(r.articles.size() == 1);
  CHECK(r.articles[0].id == "k1");
  CHECK(r.articles[0].text == "used");
}

TEST_CASE("JSONL: BOM, CRLF line ends and blank lines") {
  const IngestResult r = IngestJsonl(
      "\xEF\xBB\xBF{\"id\":\"a\",\"text\":\"x\"}\r\n\r\n  \n"
      "{\"id\":\"b\",\"text\":\"y\"}\r\n");
  REQUIRE(r.rejections.empty());
  REQUIRE(r.articles.size() == 2);
  CHECK(r.articles[1].origin.line == 4);
  CHECK(r.stats.blank_lines == 2);
  CHECK(r.stats.read == 2);
}

TEST_CASE("JSONL: lines longer than the read chunk are assembled") {
  const std::string text(3 << 20, 'w');  // 3 MiB > the 1 MiB read chunk
  const IngestResult r = IngestJsonl("{\"id\":\"long\",\"text\":\"" + text +
                                     "\"}\n{\"id\":\"next\",\"text\":\"n\"}");
  REQUIRE(r.articles.size() == 2);
  CHECK(r.articles[0].text.size() == text.size());
  CHECK(r.articles[1].origin.line == 2);
}

TEST_CASE("streams: JSON Lines from a FILE*") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  const std::string data =
      "{\"id\":\"s1\",\"text\":\"one\"}\n{\"id\":\"s2\",\"text\":\"two\"}\n";
  std::fwrite(data.data(), 1, data.size(), f);
  std::rewind(f);
  auto ingestor = Ingestor::Create();
  REQUIRE(ingestor.ok());
  (*ingestor)->AddJsonlStream(f, "-");
  std::fclose(f);
  const IngestResult& r = (*ingestor)->result();
  REQUIRE(r.articles.size() == 2);
  CHECK(r.articles[1].origin.ToString() == "-:2");
}

TEST_CASE("text files: title rule") {
  auto ingestor = Ingestor::Create();
  REQUIRE(ingestor.ok());
  (*ingestor)->AddTextFile("\n\nShort headline\n\nFirst paragraph.\n", "a.txt",
                           "a.txt");
  (*ingestor)->AddTextFile("This first line is a sentence.\nSecond.\n", "b.txt",
                           "b.txt");
  (*ingestor)->AddTextFile("Advertisement\n\nReal headline\nBody.\n", "c.txt",
                           "c.txt");
  (*ingestor)->AddTextFile(std::string(250, 'L') + "\nBody.\n", "d.txt",
                           "d.txt");
  (*ingestor)->AddTextFile("Title\r\nbody line\r\n", "e.txt", "e.txt");
  const IngestResult& r = (*ingestor)->result();
  REQUIRE(r.articles.size() == 5);
  CHECK(r.articles[0].title == "Short headline");
  CHECK_THAT(r.articles[0].text, Catch::Contains("First paragraph."));
  CHECK_THAT(r.articles[0].text, !Catch::Contains("Short headline"));
  CHECK(r.articles[1].title.empty());
  CHECK_THAT(r.articles[1].text, Catch::StartsWith("This first line"));
  CHECK(r.articles[2].title == "Real headline");  // furniture skipped
  CHECK(r.articles[3].title.empty());             // longer than 200
  CHECK(r.articles[4].title == "Title");
  CHECK(r.articles[4].text == "body line\n");  // CRLF unified
}

TEST_CASE("Markdown: YAML front matter fields and excerpt fallback") {
  const std::string md =
      "---\n"
      "title: \"Outreach to North Korea\"\n"
      "excerpt: \"The administration reached out.\"\n"
      "publishedDateTime: 2021-03-14T01:27:54Z\n"
      "published: true\n"
      "originalUrl: \"http://example.com/a\"\n"
      "provider:\n  name: CNN\n  domain: cnn.com\n"
      "---\n\n";
  auto ingestor = Ingestor::Create();
  REQUIRE(ingestor.ok());
  (*ingestor)->AddMarkdownFile(md, "cnn.md", "dir/cnn.md");
  (*ingestor)->AddMarkdownFile(
      "---\ntitle: T\nexcerpt: E\n---\n# Heading\n\nBody text here.\n",
      "body.md", "body.md");
  (*ingestor)->AddMarkdownFile("# Plain heading\n\nNo front matter.\n",
                               "plain.md", "plain.md");
  const IngestResult& r = (*ingestor)->result();
  REQUIRE(r.rejections.empty());
  REQUIRE(r.articles.size() == 3);
  const Article& a = r.articles[0];
  CHECK(a.id == "cnn.md");
  CHECK(a.title == "Outreach to North Korea");
  CHECK(a.text == "The administration reached out.");
  CHECK(a.source == "CNN");
  CHECK(a.url == "http://example.com/a");
  // "published: true" is not a date; publishedDateTime is used instead.
  CHECK(a.published == Utc(2021, 3, 14, 1, 27, 54));
  CHECK_THAT(r.articles[1].text, Catch::Contains("Heading\n"));
  CHECK_THAT(r.articles[1].text, Catch::Contains("Body text here."));
  CHECK(r.articles[2].title == "Plain heading");
}

// Regression (found by fuzz_markdown): a provider map without "name" made
// yaml-cpp throw from a lookup of the missing key and abort the process.
TEST_CASE("Markdown: provider with only a domain (regression)") {
  auto ingestor = Ingestor::Create();
  REQUIRE(ingestor.ok());
  (*ingestor)->AddMarkdownFile(
      "---\ntitle: T\nprovider:\n  domain: cnn.com\n---\nBody.\n", "a.md",
      "a.md");
  (*ingestor)->AddMarkdownFile(
      "---\ntitle: T\nprovider:\n  other: x\n---\nBody.\n", "b.md", "b.md");
  const IngestResult& r = (*ingestor)->result();
  REQUIRE(r.articles.size() == 2);
  CHECK(r.articles[0].source == "cnn.com");
  CHECK(r.articles[1].source.empty());
}

TEST_CASE("Markdown: deeply nested block YAML is refused, not recursed") {
  std::string yaml;
  for (int depth = 0; depth < 300; ++depth) {
    yaml += std::string(depth, ' ') + "k" + std::to_string(depth) + ":\n";
  }
  std::string dashes;
  for (int i = 0; i < 300; ++i) dashes += "- ";
  auto ingestor = Ingestor::Create();
  REQUIRE(ingestor.ok());
  (*ingestor)->AddMarkdownFile("---\n" + yaml + "---\nBody.\n", "a.md", "a.md");
  (*ingestor)->AddMarkdownFile("---\nx:\n" + dashes + "y\n---\nBody.\n", "b.md",
                               "b.md");
  const IngestResult& r = (*ingestor)->result();
  REQUIRE(r.rejections.size() == 2);
  for (const Rejection& rej : r.rejections) {
    CHECK(rej.reason == RejectReason::kInvalidFrontMatter);
    CHECK_THAT(rej.detail, Catch::Contains("nested deeper than 64 levels"));
  }
}

TEST_CASE("directories: recursive, sorted, relative-path ids") {
  auto dir = testing::TempDir("ingest_dir");
  testing::WriteFile(dir / "b" / "two.txt", "Two\nBody two.\n");
  testing::WriteFile(dir / "a.md", "---\ntitle: One\n---\nBody one.\n");
  testing::WriteFile(
      dir / "feed.jsonl",
      "{\"id\":\"j1\",\"text\":\"x\"}\n{\"id\":\"j2\",\"text\":\"y\"}\n");
  testing::WriteFile(dir / "notes.csv", "not an article");
  testing::WriteFile(dir / ".hidden" / "x.txt", "Hidden\nbody\n");
  auto r = IngestPaths({dir.string()});
  REQUIRE(r.ok());
  REQUIRE(r->articles.size() == 4);
  CHECK(r->articles[0].id == "a.md");
  CHECK(r->articles[1].id == "b/two.txt");
  CHECK(r->articles[2].id == "j1");
  CHECK(r->articles[3].id == "j2");
  CHECK(r->stats.ignored_files == 1);
  CHECK(r->stats.read == 4);
  CHECK_FALSE(IngestPaths({(dir / "nope").string()}).ok());
  std::filesystem::remove_all(dir);
}

TEST_CASE("directories: a symlink loop does not hang the walk") {
  auto dir = testing::TempDir("ingest_loop");
  testing::WriteFile(dir / "sub" / "a.txt", "A\nbody\n");
  std::filesystem::create_directory_symlink(dir, dir / "sub" / "loop");
  auto r = IngestPaths({dir.string()});
  REQUIRE(r.ok());
  CHECK(r->articles.size() == 1);
  std::filesystem::remove_all(dir);
}

TEST_CASE("seeds: all five seed articles are read (when ../shared exists)") {
  if (!testing::HaveShared("seeds")) {
    WARN("../shared/seeds not present: seed ingest test skipped");
    return;
  }
  auto r = IngestPaths({testing::SharedDir() + "/seeds"});
  REQUIRE(r.ok());
  REQUIRE(r->articles.size() == 5);
  CHECK(r->rejections.empty());
  for (const Article& a : r->articles) {
    INFO(a.id);
    // Reuters' first line is a full sentence, so it has no title line.
    CHECK(a.title.empty() == (a.id == "reuters.txt"));
  }
  const Article& cnn = r->articles[2];
  CHECK(cnn.id == "cnn.md");
  CHECK(cnn.source == "CNN");
  CHECK(cnn.published.has_value());
  const Article& scmp = r->articles[4];
  CHECK(scmp.id == "scmp.txt");
  CHECK_THAT(scmp.title, Catch::StartsWith("South Korea and US seek"));
}

}  // namespace
}  // namespace storycluster
