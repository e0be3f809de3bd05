// Malformed input: each case is refused with its exact reason and detail,
// the rest of the input is still read, and accepted + rejected == read.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <random>

#include "absl/time/time.h"
#include "lib/1_ingest/ingest_impl.h"
#include "storycluster/ingest.h"
#include "test_util.h"
#include "unicode/utf8.h"

namespace storycluster {
namespace {

struct Case {
  const char* name;
  std::string line;
  RejectReason reason;
  const char* detail;  // must occur in the rejection's detail
};

using testing::IngestJsonl;

TEST_CASE("each malformed JSONL line is refused with its reason") {
  const std::vector<Case> cases = {
      {"truncated mid-string", R"({"id":"a","text":"cut off)",
       RejectReason::kInvalidJson, "never closed"},
      {"trailing garbage", R"({"id":"a","text":"x"} junk)",
       RejectReason::kInvalidJson, "improper structure"},
      {"bad atom", R"({"id":"a","text":"x","flag":tru})",
       RejectReason::kInvalidJson, "atom"},
      {"nested 10000 deep",
       "{\"id\":\"a\",\"x\":" + std::string(10000, '[') +
           std::string(10000, ']') + "}",
       RejectReason::kInvalidJson, ""},
      {"array line", R"(["id","a"])", RejectReason::kNotAnObject, "an array"},
      {"string line", R"("just a string")", RejectReason::kNotAnObject,
       "a string"},
      {"invalid UTF-8", "{\"id\":\"a\",\"text\":\"caf\xC3\x28\"}",
       RejectReason::kInvalidUtf8, "at byte offset 21 of the line"},
      {"overlong UTF-8", "{\"id\":\"a\",\"text\":\"\xC0\xAF\"}",
       RejectReason::kInvalidUtf8, "at byte offset 18 of the line"},
      {"missing id", R"({"title":"t","text":"x"})", RejectReason::kMissingId,
       "no id"},
      {"empty id", R"({"id":"  ","text":"x"})", RejectReason::kMissingId,
       "no id"},
      {"null id", R"({"id":null,"text":"x"})", RejectReason::kMissingId,
       "no id"},
      {"float id", R"({"id":1.5,"text":"x"})", RejectReason::kInvalidId,
       "field 'id' is a number"},
      {"object id", R"({"id":{"a":1},"text":"x"})", RejectReason::kInvalidId,
       "field 'id' is an object"},
      {"control character in id", R"({"id":"a\tb","text":"x"})",
       RejectReason::kInvalidId, "control characters"},
      {"empty title and text", R"({"id":"e","title":"","text":"   "})",
       RejectReason::kEmptyText, "article 'e' has no title or text"},
      {"number where a string belongs", R"({"id":"n","title":42,"text":"x"})",
       RejectReason::kWrongFieldType, "field 'title' is a number"},
      {"boolean text", R"({"id":"b","text":true})",
       RejectReason::kWrongFieldType, "field 'text' is a boolean"},
      {"array source", R"({"id":"s","text":"x","source":["a"]})",
       RejectReason::kWrongFieldType, "field 'source' is an array"},
  };
  for (const Case& c : cases) {
    SECTION(c.name) {
      const std::string input = "{\"id\":\"before\",\"text\":\"ok\"}\n" +
                                c.line +
                                "\n{\"id\":\"after\",\"text\":\"ok\"}\n";
      const IngestResult r = IngestJsonl(input);
      REQUIRE(r.rejections.size() == 1);
      CHECK(r.rejections[0].reason == c.reason);
      CHECK_THAT(r.rejections[0].detail, Catch::Contains(c.detail));
      CHECK(r.rejections[0].origin.file == "in.jsonl");
      CHECK(r.rejections[0].origin.line == 2);
      REQUIRE(r.articles.size() == 2);
      CHECK(r.articles[0].id == "before");
      CHECK(r.articles[1].id == "after");
      CHECK(r.stats.read == 3);
      CHECK(r.stats.accepted + r.stats.rejected == r.stats.read);
    }
  }
}

TEST_CASE("a duplicate id keeps the first record and names it") {
  const IngestResult r = IngestJsonl(
      "{\"id\":\"x\",\"text\":\"first\"}\n{\"id\":\"x\",\"text\":\"again\"}\n");
  REQUIRE(r.articles.size() == 1);
  CHECK(r.articles[0].text == "first");
  REQUIRE(r.rejections.size() == 1);
  CHECK(r.rejections[0].reason == RejectReason::kDuplicateId);
  CHECK(r.rejections[0].detail == "id 'x' was first seen at in.jsonl:1");
  CHECK(r.rejections[0].ToString() ==
        "in.jsonl:2: duplicate id: id 'x' was first seen at in.jsonl:1");
}

TEST_CASE("oversized lines and articles are refused without stopping") {
  IngestOptions options;
  options.max_record_bytes = 64;
  options.max_article_bytes = 20;
  const std::string big_line =
      "{\"id\":\"big\",\"text\":\"" + std::string(5000, 'x') + "\"}";
  const IngestResult r =
      IngestJsonl("{\"id\":\"a\",\"text\":\"short\"}\n" + big_line +
                      "\n{\"id\":\"b\",\"text\":\"0123456789012345678901\"}\n"
                      "{\"id\":\"c\",\"text\":\"tail\"}",
                  options);
  REQUIRE(r.rejections.size() == 2);
  CHECK(r.rejections[0].reason == RejectReason::kOversized);
  CHECK(r.rejections[0].origin.line == 2);
  CHECK(r.rejections[0].detail == "line longer than 64 bytes");
  CHECK(r.rejections[1].reason == RejectReason::kOversized);
  CHECK(r.rejections[1].origin.line == 3);
  CHECK_THAT(r.rejections[1].detail, Catch::Contains("limit 20"));
  REQUIRE(r.articles.size() == 2);
  CHECK(r.articles[1].id == "c");  // the last line has no final newline
  CHECK(r.stats.accepted + r.stats.rejected == r.stats.read);
}

TEST_CASE("malformed files are refused with their reasons") {
  auto dir = testing::TempDir("malformed_files");
  testing::WriteFile(dir / "nul.txt", std::string("Title\nbody\0more", 16));
  testing::WriteFile(dir / "latin1.txt", "Caf\xE9 title\nbody");
  testing::WriteFile(dir / "open.md", "---\ntitle: x\nno closing line\n");
  testing::WriteFile(dir / "badyaml.md", "---\ntitle: [unclosed\n---\nbody\n");
  testing::WriteFile(dir / "list.md", "---\n- a\n- b\n---\nbody\n");
  testing::WriteFile(dir / "deep.md",
                     "---\ntitle: " + std::string(100, '[') + "\n---\nbody\n");
  testing::WriteFile(dir / "empty.txt", "");
  testing::WriteFile(dir / "good.txt", "A good title\nA good body.\n");
  std::filesystem::create_symlink(dir / "missing-target.txt",
                                  dir / "broken.txt");
  auto r = IngestPaths({dir.string()});
  REQUIRE(r.ok());
  std::map<std::string, Rejection> by_file;
  for (const Rejection& rej : r->rejections) {
    by_file.emplace(std::filesystem::path(rej.origin.file).filename(), rej);
  }
  auto expect = [&](const std::string& file, RejectReason reason,
                    const std::string& detail) {
    INFO(file);
    REQUIRE(by_file.count(file) == 1);
    CHECK(by_file.at(file).reason == reason);
    CHECK_THAT(by_file.at(file).detail, Catch::Contains(detail));
  };
  expect("nul.txt", RejectReason::kBinaryContent, "NUL byte at offset 10");
  expect("latin1.txt", RejectReason::kInvalidUtf8, "at byte offset 3");
  expect("open.md", RejectReason::kInvalidFrontMatter, "no closing '---' line");
  expect("badyaml.md", RejectReason::kInvalidFrontMatter, "line ");
  expect("list.md", RejectReason::kInvalidFrontMatter, "not a map");
  expect("deep.md", RejectReason::kInvalidFrontMatter, "nested deeper");
  expect("empty.txt", RejectReason::kEmptyText, "no title or text");
  expect("broken.txt", RejectReason::kUnreadable, "not a regular file");
  REQUIRE(r->articles.size() == 1);
  CHECK(r->articles[0].id == "good.txt");
  CHECK(r->stats.read == 9);
  CHECK(r->stats.accepted + r->stats.rejected == r->stats.read);
  std::filesystem::remove_all(dir);
}

TEST_CASE("accounting holds over a large mixed file") {
  std::string input;
  int bad = 0;
  for (int i = 0; i < 5000; ++i) {
    if (i % 10 == 3) {
      input += "{\"id\":\"x" + std::to_string(i) + "\",\"text\":\"broken\n";
      ++bad;
    } else if (i % 10 == 7) {
      input += "\n";  // blank lines are not records
    } else {
      input += "{\"id\":\"x" + std::to_string(i) + "\",\"text\":\"ok\"}\n";
    }
  }
  const IngestResult r = IngestJsonl(input);
  CHECK(r.stats.rejected == bad);
  CHECK(r.stats.blank_lines == 500);
  CHECK(r.stats.read == 4500);
  CHECK(r.stats.accepted + r.stats.rejected == r.stats.read);
  CHECK(r.stats.accepted == static_cast<int64_t>(r.articles.size()));
}

// Everything an IngestResult says, as text: articles (every field),
// refusals, warnings and counts, in order.
std::string Describe(const IngestResult& r) {
  std::string out;
  for (const Article& a : r.articles) {
    out += "article " + a.id + "|" + a.title + "|" +
           std::to_string(a.text.size()) + "|" + a.text.substr(0, 40) + "|" +
           a.source + "|" + a.url + "|" +
           (a.published ? absl::FormatTime(*a.published) : "?") + "|" +
           a.origin.ToString() + "\n";
  }
  for (const Rejection& x : r.rejections)
    out += "refused " + x.ToString() + "\n";
  for (const Warning& w : r.warnings) {
    out += "warning " + w.origin.ToString() + " " + w.message + "\n";
  }
  out += "read " + std::to_string(r.stats.read) + " accepted " +
         std::to_string(r.stats.accepted) + " rejected " +
         std::to_string(r.stats.rejected) + " blank " +
         std::to_string(r.stats.blank_lines) + " bytes " +
         std::to_string(r.stats.bytes);
  return out;
}

TEST_CASE("JSONL records parsed on several threads: the one-thread result") {
  // Over 3 MB, so several read chunks (1 MiB) and their leftovers: good
  // records, every kind of refusal, duplicate ids far apart, date
  // warnings, blank and CRLF lines, a line longer than a chunk, and a BOM.
  std::mt19937 rng(11);
  std::string input = "\xEF\xBB\xBF";
  const std::vector<std::string> bad = {
      R"({"id":"t","text":"cut off)",
      R"(["id","a"])",
      "{\"id\":\"u\",\"text\":\"caf\xC3\x28\"}",
      R"({"title":"t","text":"x"})",
      R"({"id":"a\tb","text":"x"})",
      R"({"id":"e","title":"","text":"   "})",
      R"({"id":"n","title":42,"text":"x"})",
      R"({"id":"p","text":"!!! ???"})",
      R"({"id":"f","text":"Advertisement\nRead more:"})",
  };
  for (int i = 0; i < 12000; ++i) {
    const uint32_t pick = rng() % 100;
    const std::string id = "r" + std::to_string(i % 11000);  // repeats
    std::string line;
    if (pick < 8) {
      line = bad[rng() % bad.size()];
    } else if (pick < 11) {
      line = "";
    } else if (pick < 14) {
      line =
          R"({"id":")" + id + R"(","text":"dated","published":"not a date"})";
    } else if (pick < 16) {
      line = R"({"id":")" + id + R"(","text":"typed","date":true})";
    } else {
      line = R"({"id":")" + id + R"(","title":"Title )" + std::to_string(i) +
             R"(","text":")" + std::string(50 + rng() % 400, 'w') +
             R"( words","source":"Wire","published":"2024-03-0)" +
             std::to_string(1 + i % 9) + R"(T10:00:00Z"})";
    }
    if (i == 6000)
      line = R"({"id":"huge","text":")" + std::string(1500000, 'h') + "\"}";
    input += line + (i % 7 == 0 ? "\r\n" : "\n");
  }
  IngestOptions options;
  options.max_record_bytes = 1 << 20;  // the huge line is refused
  const std::string one = Describe(IngestJsonl(input, options));
  CHECK_THAT(one, Catch::Contains("line longer than"));
  CHECK_THAT(one, Catch::Contains("duplicate id"));
  CHECK_THAT(one, Catch::Contains("not a date"));
  CHECK_THAT(one, Catch::Contains("unrecognised date"));
  CHECK_THAT(one, Catch::Contains("only site furniture"));
  for (int threads : {2, 3, 0, -1}) {
    INFO("threads " << threads);
    IngestOptions many = options;
    many.threads = threads;
    CHECK(Describe(IngestJsonl(input, many)) == one);
    // The same through a sink, as the streamed passes read.
    IngestResult sunk;
    many.sink = [&sunk](Article&& a) { sunk.articles.push_back(std::move(a)); };
    IngestResult counted = IngestJsonl(input, many);
    counted.articles = std::move(sunk.articles);
    CHECK(Describe(counted) == one);
  }
}

}  // namespace
// FindInvalidUtf8 first asks simdjson whether the bytes are valid, and
// only then scans with ICU for the offset: the answer must be the ICU scan's
// on every input, valid or not.
size_t IcuFirstInvalid(const std::string& bytes) {
  const auto* s = reinterpret_cast<const uint8_t*>(bytes.data());
  const int32_t length = static_cast<int32_t>(bytes.size());
  for (int32_t i = 0; i < length;) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) return static_cast<size_t>(start);
  }
  return std::string::npos;
}

TEST_CASE("ingest: the fast UTF-8 check agrees with ICU's scan") {
  std::vector<std::string> cases = {"",
                                    "plain ASCII",
                                    "caf\xC3\xA9",
                                    "\xE2\x80\x9Cquoted\xE2\x80\x9D",
                                    "\xF0\x9F\x98\x80 emoji",
                                    "\xF4\x8F\xBF\xBF max",
                                    "\xF4\x90\x80\x80 past max",
                                    "\xED\x9F\xBF last before surrogates",
                                    "\xED\xA0\x80 surrogate",
                                    "\xEF\xBF\xBE noncharacter",
                                    "\xC0\xAF overlong",
                                    "\xE0\x80\xAF overlong",
                                    "\xC3 truncated",
                                    "ok \xE2\x82",
                                    "\x80 lone continuation",
                                    "\xFF",
                                    "\xC2\xA0\xC2"};
  std::mt19937_64 rng(17);
  // Random strings mixing ASCII, valid sequences and stray bytes, some
  // longer than a vector register, so both checks see every position.
  const std::vector<std::string> pieces = {"a",
                                           "Z ",
                                           "\xC3\xA9",
                                           "\xE2\x80\x94",
                                           "\xF0\x9F\x8C\x8D",
                                           "\xED\xA0\x80",
                                           "\xC0",
                                           "\x80",
                                           "\xF5",
                                           "\xE1\x80",
                                           "0123456789abcdef0123456789abcdef"};
  for (int n = 0; n < 5000; ++n) {
    std::string s;
    const size_t parts = rng() % 40;
    for (size_t k = 0; k < parts; ++k) {
      // Mostly valid pieces, so that many strings are valid throughout.
      constexpr size_t kValid[] = {0, 1, 2, 3, 4, 10};
      s += pieces[rng() % 100 < 90 ? kValid[rng() % 6] : rng() % pieces.size()];
    }
    cases.push_back(s);
  }
  size_t valid = 0;
  for (const std::string& c : cases) {
    INFO("bytes of size " << c.size());
    const size_t expected = IcuFirstInvalid(c);
    CHECK(FindInvalidUtf8(c) == expected);
    valid += expected == std::string::npos;
  }
  CHECK(valid > 1000);
  CHECK(cases.size() - valid > 500);
}

}  // namespace storycluster
