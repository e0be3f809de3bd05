// Tokenizer: quote unification, NFKC folding, CJK segmentation, byte
// offsets, numbers, URLs and stop words.
#include <catch2/catch.hpp>
#include <cctype>
#include <random>

#include "lib/2_text/ascii_masks.h"
#include "storycluster/ingest.h"
#include "storycluster/synthetic.h"
#include "storycluster/text.h"
#include "test_util.h"

namespace storycluster {
namespace {

std::vector<std::string> Texts(const std::vector<Token>& tokens) {
  std::vector<std::string> out;
  for (const Token& t : tokens) out.push_back(t.text);
  return out;
}

std::unique_ptr<Tokenizer> Make(TokenizerOptions options = {}) {
  auto t = Tokenizer::Create(options);
  REQUIRE(t.ok());
  return std::move(t).value();
}

TEST_CASE("curly and straight quotes give identical tokens") {
  auto tok = Make();
  const auto curly = Texts(tok->Tokenize(
      "\xE2\x80\x9CWe don\xE2\x80\x99t know,\xE2\x80\x9D Kim\xE2\x80\x99s "
      "aide said \xE2\x80\x94 twice."));
  const auto straight =
      Texts(tok->Tokenize("\"We don't know,\" Kim's aide said - twice."));
  CHECK(curly == straight);
  CHECK(curly == std::vector<std::string>{"we", "don't", "know", "kim's",
                                          "aide", "said", "twice"});
}

TEST_CASE("NFKC case folding: full-width letters and ligatures") {
  auto tok = Make();
  // "ＮＡＴＯ" full-width, "ﬁnal" with the fi ligature, "Straße".
  CHECK(Texts(tok->Tokenize("\xEF\xBC\xAE\xEF\xBC\xA1\xEF\xBC\xB4\xEF\xBC\xAF"
                            " \xEF\xAC\x81nal Stra\xC3\x9F"
                            "e")) ==
        std::vector<std::string>{"nato", "final", "strasse"});
  CHECK(Texts(tok->Tokenize("NATO Final STRASSE")) ==
        std::vector<std::string>{"nato", "final", "strasse"});
}

TEST_CASE("Chinese and Japanese sentences segment into several words") {
  auto tok = Make();
  // "North Korea refused to accept the US president's letter."
  const auto zh = tok->Tokenize(
      "\xE6\x9C\x9D\xE9\xB2\x9C\xE6\x8B\x92\xE7\xBB\x9D\xE6\x8E\xA5\xE5\x8F"
      "\x97\xE7\xBE\x8E\xE5\x9B\xBD\xE6\x80\xBB\xE7\xBB\x9F\xE7\x9A\x84\xE4"
      "\xBF\xA1\xE3\x80\x82");
  REQUIRE(zh.size() >= 4);
  for (const Token& t : zh) CHECK(t.kind == TokenKind::kIdeographic);
  CHECK(zh.front().text == "\xE6\x9C\x9D\xE9\xB2\x9C");  // 朝鲜
  // "North Korea rejected the letter from the president."
  const auto ja = tok->Tokenize(
      "\xE5\x8C\x97\xE6\x9C\x9D\xE9\xAE\xAE\xE3\x81\xAF\xE5\xA4\xA7\xE7\xB5"
      "\xB1\xE9\xA0\x98\xE3\x81\x8B\xE3\x82\x89\xE3\x81\xAE\xE6\x89\x8B\xE7"
      "\xB4\x99\xE3\x82\x92\xE6\x8B\x92\xE5\x90\xA6\xE3\x81\x97\xE3\x81\x9F"
      "\xE3\x80\x82");
  REQUIRE(ja.size() >= 5);
  // Thai has no spaces between words either.
  const auto th = tok->Tokenize(
      "\xE0\xB9\x80\xE0\xB8\x81\xE0\xB8\xB2\xE0\xB8\xAB\xE0\xB8\xA5\xE0\xB8"
      "\xB5\xE0\xB9\x80\xE0\xB8\xAB\xE0\xB8\x99\xE0\xB8\xB7\xE0\xB8\xAD\xE0"
      "\xB8\x9B\xE0\xB8\x8F\xE0\xB8\xB4\xE0\xB9\x80\xE0\xB8\xAA\xE0\xB8\x98");
  CHECK(th.size() >= 2);
}

TEST_CASE("byte offsets map back to the original text") {
  auto tok = Make();
  const std::string text =
      "Caf\xC3\xA9 \xE2\x80\x9C"
      "don\xE2\x80\x99t\xE2\x80\x9D \xEF\xBC\xAE"
      "\xEF\xBC\xA1 \xE6\x9C\x9D\xE9\xB2\x9C\xE6\x8B\x92\xE7\xBB\x9D 1,000 "
      "https://example.com/a?b=1.";
  const auto tokens = tok->Tokenize(text);
  const std::vector<std::string> originals = {"Caf\xC3\xA9", "don\xE2\x80\x99t",
                                              "\xEF\xBC\xAE\xEF\xBC\xA1"};
  REQUIRE(tokens.size() >= 6);
  for (size_t i = 0; i < originals.size(); ++i) {
    CHECK(text.substr(tokens[i].begin, tokens[i].end - tokens[i].begin) ==
          originals[i]);
  }
  for (const Token& t : tokens) {
    REQUIRE(t.begin < t.end);
    REQUIRE(t.end <= text.size());
    // Each token's normalized text is the normalization of its source span.
    auto again = tok->Tokenize(text.substr(t.begin, t.end - t.begin));
    REQUIRE_FALSE(again.empty());
    CHECK(again.front().text == t.text);
  }
  CHECK(tokens.back().kind == TokenKind::kUrl);
  CHECK(text.substr(tokens.back().begin,
                    tokens.back().end - tokens.back().begin) ==
        "https://example.com/a?b=1");
}

TEST_CASE("numbers and URLs are handled deliberately") {
  auto tok = Make();
  const auto tokens = tok->Tokenize(
      "Exports rose 3.5% to $1,250 million, see www.Example.org.");
  REQUIRE(tokens.size() == 8);
  CHECK(tokens[2].kind == TokenKind::kNumber);
  CHECK(tokens[2].text == "3.5");
  CHECK(tokens[4].kind == TokenKind::kNumber);
  CHECK(tokens[4].text == "1250");
  CHECK(tokens[7].kind == TokenKind::kUrl);
  CHECK(tokens[7].text == "www.example.org");
  TokenizerOptions no_urls;
  no_urls.keep_urls = false;
  CHECK(Make(no_urls)->Tokenize("see http://a.b/c now").size() == 2);
}

TEST_CASE("English stop words are flagged, content words are not") {
  auto tok = Make();
  const auto tokens = tok->Tokenize("The talks with Pyongyang have stalled");
  REQUIRE(tokens.size() == 6);
  CHECK(tokens[0].stop_word);        // the
  CHECK_FALSE(tokens[1].stop_word);  // talks
  CHECK(tokens[2].stop_word);        // with
  CHECK_FALSE(tokens[3].stop_word);  // pyongyang
  CHECK(IsStopWord("don't"));
  CHECK_FALSE(IsStopWord("korea"));
}

bool SameTokens(const std::vector<Token>& a, const std::vector<Token>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].text != b[i].text || a[i].begin != b[i].begin ||
        a[i].end != b[i].end || a[i].kind != b[i].kind ||
        a[i].stop_word != b[i].stop_word) {
      return false;
    }
  }
  return true;
}

TEST_CASE("flat token list: same tokens as the vector form, texts joined") {
  auto tok = Make();
  const std::string title = "NATO\xE2\x80\x99s chief";
  const std::string body =
      "See https://Example.com/A now: 1,000 people, \xEF\xBC\xAE\xEF\xBC"
      "\xA1 and \xE5\x8C\x97\xE4\xBA\xAC\xE5\xB8\x82 met.";
  TokenList list;
  tok->TokenizeTo(title, 0, &list);
  tok->TokenizeTo(body, 100, &list);
  std::vector<Token> vec;
  tok->TokenizeTo(title, 0, &vec);
  tok->TokenizeTo(body, 100, &vec);
  REQUIRE(list.size() == vec.size());
  std::string joined;
  for (size_t i = 0; i < vec.size(); ++i) {
    const PackedToken& e = list.tokens[i];
    INFO(vec[i].text);
    CHECK(list.TextOf(e) == vec[i].text);
    CHECK(e.begin == vec[i].begin);
    CHECK(e.end == vec[i].end);
    CHECK(e.kind == vec[i].kind);
    CHECK(e.stop_word == vec[i].stop_word);
    if (e.kind == TokenKind::kUrl) continue;
    joined += vec[i].text;
    joined += '\x1f';
  }
  CHECK(list.text == joined);  // URL texts are kept apart
  CHECK(list.url_text == "https://example.com/a");
  CHECK(vec.back().begin >= 100);
}

TEST_CASE("a text past the reuse bound does not change the next texts") {
  // Over 1 MB of tokens: the reused buffers are dropped afterwards, and
  // the tokenizer goes on as a fresh one would.
  auto tok = Make();
  std::string huge;
  size_t repeats = 0;
  for (; huge.size() < (size_t{3} << 20); ++repeats) {
    huge += "Officials said 1,000 ";
  }
  huge += "https://example.com/x \xE5\x8C\x97\xE4\xBA\xAC";
  const std::string small = "The NATO chief met 2 ministers in Kyiv.";
  std::vector<Token> huge_tokens;
  tok->TokenizeTo(huge, 0, &huge_tokens);
  CHECK(huge_tokens.size() == 3 * repeats + 2);
  CHECK(huge_tokens.back().text == "\xE5\x8C\x97\xE4\xBA\xAC");
  TokenList huge_list;
  tok->TokenizeTo(huge, 0, &huge_list);
  CHECK(huge_list.size() == huge_tokens.size());
  for (int round = 0; round < 2; ++round) {
    std::vector<Token> after;
    tok->TokenizeTo(small, 7, &after);
    std::vector<Token> fresh;
    Make()->TokenizeTo(small, 7, &fresh);
    REQUIRE(after.size() == fresh.size());
    for (size_t i = 0; i < after.size(); ++i) {
      CHECK(after[i].text == fresh[i].text);
      CHECK(after[i].begin == fresh[i].begin);
      CHECK(after[i].stop_word == fresh[i].stop_word);
    }
    CHECK(Texts(after) == std::vector<std::string>{"the", "nato", "chief",
                                                   "met", "2", "ministers",
                                                   "in", "kyiv"});
  }
}

TEST_CASE("mark_stop_words = false leaves every stop flag unset") {
  TokenizerOptions options;
  options.mark_stop_words = false;
  const auto tokens = Make(options)->Tokenize("The talks with Pyongyang");
  REQUIRE(tokens.size() == 4);
  for (const Token& t : tokens) CHECK_FALSE(t.stop_word);
  CHECK(Make()->Tokenize("The talks with Pyongyang")[0].stop_word);
}

// The fast ASCII path must give exactly the ICU path's tokens.
void ExpectSameAsIcu(const std::string& text) {
  static auto fast = Make();
  TokenizerOptions icu_only;
  icu_only.fast_ascii = false;
  static auto icu = Make(icu_only);
  const auto a = fast->Tokenize(text);
  const auto b = icu->Tokenize(text);
  INFO(text.substr(0, 200));
  REQUIRE(SameTokens(a, b));
}

TEST_CASE("fast ASCII path: awkward punctuation equals ICU") {
  for (const char* s :
       {"a:b U.S. e.g. don't 1,000.5 abc123 123abc _ __a a_ 1_ _1",
        "a.1 1.a 3.5% x' 'x a''b 1:30 a;b 1;2 it's. A.B.C a-b 1.2.3 1,,2",
        "a..b .a. ,1, ;;; '' __ _._ 1'2 a'1 1'a x_y_z 9_9 end.",
        "(parens) [brackets] {braces} \"quoted\" <tags> a/b a\\b #tag @user",
        "mixed café naïve ＮＡＴＯ 朝鲜 don’t “q” x",
        "tabs\tand\r\nnewlines\fform",
        "https://example.com/a.b?c=1, www.x.org. end", "", " ", "a", "1",
        "_"}) {
    ExpectSameAsIcu(s);
  }
}

TEST_CASE("fast ASCII path: random ASCII soup equals ICU") {
  std::mt19937 rng(77);
  const std::string alphabet = "aZ09_.',;:-/ \t\n!?()\"#@%&";
  for (int round = 0; round < 20000; ++round) {
    std::string text(rng() % 64, ' ');
    for (char& c : text) c = alphabet[rng() % alphabet.size()];
    ExpectSameAsIcu(text);
  }
}

TEST_CASE("fast ASCII path: real text equals ICU (examples, seeds, dev)") {
  std::vector<std::string> paths = {testing::SourceDir() + "/examples/data"};
  for (const char* sub :
       {"seeds", "data/dev/ecbplus.jsonl", "data/dev/basil.jsonl"}) {
    if (testing::HaveShared(sub)) {
      paths.push_back(testing::SharedDir() + "/" + sub);
    } else {
      WARN("../shared/" << sub << " not present: not compared");
    }
  }
  auto ingest = IngestPaths(paths);
  REQUIRE(ingest.ok());
  for (const Article& a : ingest->articles) {
    ExpectSameAsIcu(a.title);
    ExpectSameAsIcu(a.text);
  }
}

TEST_CASE("fast ASCII path: generated corpus text equals ICU") {
  // The generator's articles (wire datelines, quotes, numbers, URLs,
  // furniture lines), as `storycluster generate` writes them.
  SyntheticOptions options;
  options.articles = 400;
  options.seed = 11;
  const SyntheticCorpus corpus = GenerateCorpus(options);
  REQUIRE(corpus.articles.size() == 400);
  for (const Article& a : corpus.articles) {
    ExpectSameAsIcu(a.title);
    ExpectSameAsIcu(a.text);
  }
}

TEST_CASE("fast ASCII path: long random text across 64-byte blocks") {
  // Segments and joins that straddle the mask blocks' edges, regions that
  // end on a block edge or just past one, and non-ASCII runs (ICU's part)
  // between ASCII ones.
  std::mt19937 rng(78);
  const std::vector<std::string> pieces = {
      "a",  "Z", "0", "9", "_",  ".", "'",   ",",    ";",     ":",     " ",
      "\n", "-", "@", "é", "朝", "’", "3.5", "U.S.", "1,000", "don't", "x_1"};
  for (int round = 0; round < 4000; ++round) {
    std::string text;
    const size_t length = 60 + rng() % 200;
    while (text.size() < length) text += pieces[rng() % pieces.size()];
    ExpectSameAsIcu(text);
  }
  // Long words and numbers across one or more block edges.
  for (size_t run : {63u, 64u, 65u, 127u, 128u, 129u, 200u}) {
    for (size_t lead = 0; lead < 3; ++lead) {
      ExpectSameAsIcu(std::string(lead, ' ') + std::string(run, 'a'));
      ExpectSameAsIcu(std::string(lead, ' ') + std::string(run, '7') + ".5");
      std::string joined;
      while (joined.size() < run) joined += "a.";
      ExpectSameAsIcu(std::string(lead, ' ') + joined + "b");
    }
  }
}

TEST_CASE("ASCII byte classes: the SSE2 masks equal the byte-by-byte ones") {
  std::mt19937 rng(79);
  char block[64];
  auto check = [&] {
    const ByteClassMasks a = ClassifyBytes(block);
    const ByteClassMasks b = ClassifyBytesScalar(block);
    CHECK(a.letter == b.letter);
    CHECK(a.digit == b.digit);
    CHECK(a.underscore == b.underscore);
    CHECK(a.mid_letter == b.mid_letter);
    CHECK(a.mid_number == b.mid_number);
  };
  for (int first = 0; first < 256; first += 64) {  // every byte value once
    for (int i = 0; i < 64; ++i) block[i] = static_cast<char>(first + i);
    check();
  }
  for (int round = 0; round < 2000; ++round) {
    for (char& c : block) c = static_cast<char>(rng());
    check();
  }
  // Spot checks of the reference itself.
  std::string text = "aZ@09_.',;:-/ \x80\xff`[{";
  text.resize(64, ' ');
  const ByteClassMasks m = ClassifyBytesScalar(text.data());
  CHECK(m.letter == 0b111);
  CHECK(m.digit == 0b11000);
  CHECK(m.underscore == 0b100000);
  CHECK(m.mid_letter == 0b11000000);
  CHECK(m.mid_number == 0b1100000000);
}

// The address rule, written the plain way: the earliest "http://",
// "https://" or "www." at or after `pos` that starts a word, run to a stop
// byte, trailing punctuation dropped; the search goes on after it.
std::vector<std::pair<uint32_t, uint32_t>> PlainUrls(std::string_view text) {
  std::vector<std::pair<uint32_t, uint32_t>> urls;
  auto stop = [](char c) {
    return std::isspace(static_cast<unsigned char>(c)) ||
           std::string_view("<>\"'()[]").find(c) != std::string_view::npos ||
           static_cast<unsigned char>(c) >= 0x80;
  };
  size_t pos = 0;
  while (true) {
    size_t best = std::string_view::npos;
    for (std::string_view scheme : {"http://", "https://", "www."}) {
      for (size_t p = text.find(scheme, pos); p != std::string_view::npos;
           p = text.find(scheme, p + 1)) {
        if (p == 0 || !std::isalnum(static_cast<unsigned char>(text[p - 1]))) {
          best = std::min(best, p);
          break;
        }
      }
    }
    if (best == std::string_view::npos) return urls;
    size_t end = best;
    while (end < text.size() && !stop(text[end])) ++end;
    while (end > best && std::string_view(".,;:!?").find(text[end - 1]) !=
                             std::string_view::npos) {
      --end;
    }
    urls.emplace_back(best, end);
    pos = std::max(end, best + 1);
  }
}

TEST_CASE("URLs: found as the plain rule finds them, in random text") {
  auto tok = Make();
  std::mt19937 rng(5);
  const std::vector<std::string> pieces = {
      "http", "https", "://",     ":",    "/",
      "www",  ".",     "w",       "a",    "Z",
      "9",    " ",     "\n",      ",",    "!",
      "\"",   "(",     "é",       "-",    "s",
      "p",    "_",     "http://", "www.", "https://x.org"};
  for (int round = 0; round < 5000; ++round) {
    std::string text;
    for (int i = rng() % 24; i > 0; --i) text += pieces[rng() % pieces.size()];
    std::vector<std::pair<uint32_t, uint32_t>> found;
    for (const Token& t : tok->Tokenize(text)) {
      if (t.kind == TokenKind::kUrl) found.emplace_back(t.begin, t.end);
    }
    INFO(text);
    REQUIRE(found == PlainUrls(text));
  }
}

TEST_CASE("empty and whitespace-only text give no tokens") {
  auto tok = Make();
  CHECK(tok->Tokenize("").empty());
  CHECK(tok->Tokenize(" \n\t ... !!").empty());
}

}  // namespace
}  // namespace storycluster
