// Site furniture removal: the furniture pattern list, tail markers, captions,
// in-article repeats, per-source corpus repeats and widget fragments.
// docs/pipeline.md lists the rules and why each exists.
#include <algorithm>
#include <array>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_split.h"
#include "lib/2_text/furniture_literals.h"
#include "lib/2_text/line_key.h"
#include "lib/common/parallel.h"
#include "lib/common/reused_buffers.h"
#include "lib/common/strings.h"
#include "lib/common/xxhash_inline.h"
#include "storycluster/text.h"

namespace storycluster {
namespace {

// Seed of the line-key hash. Fixed: keys are compared within one run only,
// but a fixed seed keeps runs reproducible.
constexpr uint64_t kLineSeed = 0x5ca1ab1e0b0e1e55ULL;

bool EndsSentence(std::string_view line) {
  line = TrimRight(line);
  if (line.empty()) return false;
  const char last = line.back();
  if (last == '.' || last == '!' || last == '?' || last == '"' ||
      last == '\'' || last == ')') {
    return true;
  }
  for (std::string_view end : {"\xe2\x80\x9d", "\xe2\x80\x99",     // ” ’
                               "\xe3\x80\x82", "\xef\xbc\x81",     // 。 ！
                               "\xef\xbc\x9f", "\xe3\x80\x8d"}) {  // ？ 」
    if (line.ends_with(end)) return true;
  }
  return false;
}

// Articles sharing at least this many repeated lines of about the same
// reach (mates, FurnitureLearner::Build) share reporting, not furniture.
constexpr uint32_t kSharedBlockLines = 3;

// A line of at least this many words that ends a sentence is reporting to
// the rules that match a literal anywhere in a line, and to the repeat
// rule unless it is in a share of its source's articles.
constexpr int kReportingSentenceWords = 8;

// A tail marker followed by this many sentences of reporting or more is
// set inside the article, not at its end.
constexpr size_t kTailReportingSentences = 3;

bool IsReportingSentence(int words, std::string_view text) {
  return words >= kReportingSentenceWords && EndsSentence(text);
}

uint64_t SourceSeed(std::string_view source) {
  return XXH3_64bits_withSeed(source.data(), source.size(), kLineSeed);
}

}  // namespace

bool IsFurnitureLine(std::string_view line) {
  LineKey line_key;
  if (!line_key.Set(line, 40)) return false;
  const std::string_view key = line_key.key();
  if (key.empty()) return false;
  const FurnitureMatch match = FindFurniture(key);
  return match.pattern || match.caption;
}

std::string_view FurnitureRuleName(FurnitureRule rule) {
  switch (rule) {
    case FurnitureRule::kPattern:
      return "pattern";
    case FurnitureRule::kTail:
      return "tail";
    case FurnitureRule::kCaption:
      return "caption";
    case FurnitureRule::kRepeatedInArticle:
      return "repeated-in-article";
    case FurnitureRule::kCorpusRepeat:
      return "corpus-repeat";
    case FurnitureRule::kFragment:
      return "fragment";
  }
  return "unknown";
}

struct FurnitureFilter::Rep {
  FurnitureOptions options;
  // Keys (source-seeded line hashes) seen in >= min_source_docs articles.
  absl::flat_hash_set<uint64_t> repeated;
};

FurnitureFilter::FurnitureFilter(std::unique_ptr<Rep> rep)
    : rep_(std::move(rep)) {}
FurnitureFilter::~FurnitureFilter() = default;

// Per source, in how many articles each short line occurs. Lines are
// counted per source because site furniture repeats within an outlet, while
// a wire story's real sentences repeat across outlets.
//
// A line that repeats is furniture only if the articles it repeats in
// otherwise share little. An outlet's updates and copies of one story
// (UPDATE 1-, UPDATE 2-, an edited copy, ...) repeat most of their lines in
// nearly the same articles; an outlet's own lines repeat in articles that
// share nothing else. So the learner also keeps each article's line keys,
// and Build counts, for each repeated line and each article holding it,
// its mates there: the article's repeated lines held by about as many
// articles (within a factor of 1.5; an edited copy of the story or an
// update missing a line takes a line out of the exact set, so sets are
// not compared exactly). A story's repeated lines are each other's mates;
// an outlet's lines, held by most of its articles, have only each other.
//
// The counts are split by the top bits of the key (a hash) into shards
// that merge in parallel.
struct FurnitureLearner::Counts {
  struct Line {
    uint32_t articles = 0;  // articles of the source holding the line
    uint32_t lines = 0;     // their counted lines, summed
    bool sentence = false;  // a sentence of reporting (IsReportingSentence)
  };
  static constexpr int kShardBits = 6;
  // repeat key -> its articles, by shard
  std::array<absl::flat_hash_map<uint64_t, Line>, 1 << kShardBits> docs;
  // Every article's keys, one after another; ends[i]: the end of article
  // i's, sources[i]: its source's seed (8 bytes a line, for Build's second
  // look at each article).
  std::vector<uint64_t> article_keys;
  std::vector<size_t> ends;
  std::vector<uint64_t> sources;
  // scratch: one article's keys, and which are sentences
  std::vector<std::pair<uint64_t, bool>> keys;

  absl::flat_hash_map<uint64_t, Line>& shard(uint64_t key) {
    return docs[key >> (64 - kShardBits)];
  }
  const absl::flat_hash_map<uint64_t, Line>& shard(uint64_t key) const {
    return docs[key >> (64 - kShardBits)];
  }
  Line& of(uint64_t key) { return shard(key)[key]; }
};

FurnitureLearner::FurnitureLearner(const FurnitureOptions& options)
    : options_(options), counts_(std::make_unique<Counts>()) {}
FurnitureLearner::~FurnitureLearner() = default;
FurnitureLearner::FurnitureLearner(FurnitureLearner&&) noexcept = default;
FurnitureLearner& FurnitureLearner::operator=(FurnitureLearner&&) noexcept =
    default;

void FurnitureLearner::Add(const Article& article) {
  if (article.source.empty()) return;
  const uint64_t seed = SourceSeed(article.source);
  Counts& counts = *counts_;
  counts.keys.clear();
  LineKey line_key;
  for (absl::string_view line : absl::StrSplit(article.text, '\n')) {
    if (!line_key.Set(SV(line), options_.max_furniture_words) ||
        line_key.key().empty()) {
      continue;
    }
    counts.keys.emplace_back(line_key.RepeatKey(seed),
                             IsReportingSentence(line_key.words(), SV(line)));
  }
  // Each line counts once per article.
  std::sort(counts.keys.begin(), counts.keys.end());
  counts.keys.erase(std::unique(counts.keys.begin(), counts.keys.end(),
                                [](const auto& a, const auto& b) {
                                  return a.first == b.first;
                                }),
                    counts.keys.end());
  // The counts outgrow the cache on large corpora: the slots of all the
  // article's lines are requested before the first is counted, so that
  // their cache misses overlap.
  for (const auto& [key, sentence] : counts.keys) {
    counts.shard(key).prefetch(key);
  }
  const uint32_t lines = static_cast<uint32_t>(counts.keys.size());
  for (const auto& [key, sentence] : counts.keys) {
    Counts::Line& line = counts.of(key);
    ++line.articles;
    line.lines += lines;
    line.sentence |= sentence;
    counts.article_keys.push_back(key);
  }
  counts.ends.push_back(counts.article_keys.size());
  counts.sources.push_back(seed);
}

void FurnitureLearner::Merge(const FurnitureLearner& other, int threads) {
  ParallelFor(counts_->docs.size(), threads, 1,
              [&](size_t begin, size_t end, int) {
                for (size_t s = begin; s < end; ++s) {
                  auto& mine = counts_->docs[s];
                  const auto& theirs = other.counts_->docs[s];
                  // Each key's slot is requested 8 keys ahead.
                  auto ahead = theirs.begin();
                  for (int i = 0; i < 8 && ahead != theirs.end(); ++i) {
                    mine.prefetch((ahead++)->first);
                  }
                  for (const auto& [key, line] : theirs) {
                    if (ahead != theirs.end()) mine.prefetch((ahead++)->first);
                    Counts::Line& sum = mine[key];
                    sum.articles += line.articles;
                    sum.lines += line.lines;
                    sum.sentence |= line.sentence;
                  }
                }
              });
  const size_t offset = counts_->article_keys.size();
  counts_->article_keys.insert(counts_->article_keys.end(),
                               other.counts_->article_keys.begin(),
                               other.counts_->article_keys.end());
  for (size_t end : other.counts_->ends) counts_->ends.push_back(offset + end);
  counts_->sources.insert(counts_->sources.end(),
                          other.counts_->sources.begin(),
                          other.counts_->sources.end());
}

absl::StatusOr<std::unique_ptr<FurnitureFilter>> FurnitureLearner::Build()
    const {
  if (options_.min_source_docs < 2) {
    return absl::InvalidArgumentError("min_source_docs must be at least 2");
  }
  if (!(options_.sentence_source_share >= 0 &&
        options_.sentence_source_share <= 1)) {
    return absl::InvalidArgumentError(
        "sentence_source_share must be in [0, 1]");
  }
  const auto min_docs = static_cast<uint32_t>(options_.min_source_docs);
  auto rep = std::make_unique<FurnitureFilter::Rep>();
  rep->options = options_;
  absl::flat_hash_map<uint64_t, uint32_t> source_articles;
  for (uint64_t source : counts_->sources) ++source_articles[source];
  // Per repeated line, its mates summed over the articles holding it, and
  // its source's article count.
  struct Repeat {
    uint32_t mates = 0;
    uint32_t source_articles = 0;
  };
  absl::flat_hash_map<uint64_t, Repeat> repeats;
  std::vector<std::pair<uint64_t, uint32_t>> repeated;  // one article's
  size_t begin = 0;
  for (size_t a = 0; a < counts_->ends.size(); ++a) {
    const size_t end = counts_->ends[a];
    repeated.clear();
    for (size_t i = begin; i < end; ++i) {
      const uint64_t key = counts_->article_keys[i];
      const auto& shard = counts_->shard(key);
      const auto it = shard.find(key);
      if (it != shard.end() && it->second.articles >= min_docs) {
        repeated.emplace_back(key, it->second.articles);
      }
    }
    begin = end;
    for (const auto& [key, held] : repeated) {
      uint32_t count = 0;
      for (const auto& [other, other_held] : repeated) {
        count += 2 * other_held <= 3 * held && 2 * held <= 3 * other_held;
      }
      Repeat& r = repeats[key];
      r.mates += count;
      r.source_articles = source_articles[counts_->sources[a]];
    }
  }
  for (const auto& shard : counts_->docs) {
    for (const auto& [key, line] : shard) {
      if (line.articles < min_docs) continue;
      // Shared reporting: in the articles holding it, on average, a block
      // of several mates that makes up a good part of their lines (a
      // third).
      const Repeat& r = repeats[key];
      if (r.mates >= kSharedBlockLines * line.articles &&
          r.mates * 3 >= line.lines) {
        continue;
      }
      // A sentence of reporting repeated in a few of a large outlet's
      // articles is a story's reused paragraph (its updates and edited
      // copies keep some verbatim); an outlet's own lines are in a good
      // share of what it publishes.
      if (line.sentence &&
          line.articles < options_.sentence_source_share * r.source_articles) {
        continue;
      }
      rep->repeated.insert(key);
    }
  }
  return std::unique_ptr<FurnitureFilter>(new FurnitureFilter(std::move(rep)));
}

absl::StatusOr<std::unique_ptr<FurnitureFilter>> FurnitureFilter::Create(
    const FurnitureOptions& options, absl::Span<const Article> corpus,
    int threads) {
  // Each worker counts a contiguous part; the counts are then summed.
  const size_t n = corpus.size();
  std::vector<FurnitureLearner> part;
  for (size_t p = 0; p < PartCount(n, threads); ++p) part.emplace_back(options);
  ParallelParts(n, threads, [&](size_t p, size_t begin, size_t end) {
    for (size_t a = begin; a < end; ++a) part[p].Add(corpus[a]);
  });
  if (part.empty()) return FurnitureLearner(options).Build();
  for (size_t p = 1; p < part.size(); ++p) part[0].Merge(part[p], threads);
  return part[0].Build();
}

namespace {

// A line of an article: its word count, repeat key and in-article key, and
// its key's index among the furniture keys (-1: not matched, too long).
struct Line {
  std::string_view text;  // trimmed; empty: a blank line
  uint64_t repeat_key = 0;
  // The key repeats within the article are found by: the repeat key, but
  // for sentences of reporting the key with its digits (two sentences that
  // differ only in a time or a count are two pieces of reporting).
  uint64_t article_key = 0;
  int words = 0;
  int32_t furniture = -1;
  bool sentence = false;   // a sentence of reporting (IsReportingSentence)
  bool reporting = false;  // and not a pattern-list line (set by Clean)
};

// Buffers reused by the calls on one thread (an article's lines, the keys
// seen, the kept lines), so that cleaning allocates only its result.
struct CleanScratch {
  std::vector<Line> lines;
  std::vector<std::string_view> kept;
  absl::flat_hash_set<uint64_t> seen;
  LineKey line_key;
  FurnitureKeys furniture;

  void Clear() {
    lines.clear();
    kept.clear();
    seen.clear();
    furniture.Clear();
  }
  // A huge article must not leave huge buffers behind on the thread.
  void Trim() {
    if (line_key.buffer_bytes() > kMaxReusedBufferBytes) line_key = LineKey();
    if (furniture.buffer_bytes() > kMaxReusedBufferBytes) {
      furniture = FurnitureKeys();
    }
    if (lines.capacity() * sizeof(Line) +
            kept.capacity() * sizeof(std::string_view) >
        kMaxReusedBufferBytes) {
      std::vector<Line>().swap(lines);
      std::vector<std::string_view>().swap(kept);
    }
  }
};

// The lines of `text` into scratch->lines with their keys, the short
// ones' furniture matched in one scan. Returns the non-blank lines.
size_t KeyLines(std::string_view text, uint64_t seed,
                const FurnitureOptions& opt, CleanScratch* scratch) {
  size_t content_lines = 0;
  for (absl::string_view raw : absl::StrSplit(AV(text), '\n')) {
    Line& line = scratch->lines.emplace_back();
    line.text = Trim(SV(raw));
    if (line.text.empty()) continue;
    ++content_lines;
    scratch->line_key.Set(line.text);
    line.words = scratch->line_key.words();
    if (opt.use_patterns && line.words <= opt.max_furniture_words) {
      line.furniture =
          static_cast<int32_t>(scratch->furniture.Add(scratch->line_key.key()));
    }
    line.repeat_key = scratch->line_key.RepeatKey(seed);
    line.sentence = IsReportingSentence(line.words, line.text);
    const std::string_view key = scratch->line_key.key();
    line.article_key = line.sentence
                           ? XXH3_64bits_withSeed(key.data(), key.size(), seed)
                           : line.repeat_key;
  }
  scratch->furniture.Scan();
  return content_lines;
}

// The kept lines joined, each run of blank lines (left behind by removed
// furniture) collapsed to one, no blank line at either end.
void JoinLines(absl::Span<const std::string_view> kept, std::string* text) {
  bool last_blank = true;
  for (std::string_view line : kept) {
    if (line.empty()) {
      if (!last_blank) *text += '\n';
      last_blank = true;
      continue;
    }
    text->append(line.data(), line.size());
    *text += '\n';
    last_blank = false;
  }
  while (!text->empty() && text->back() == '\n') text->pop_back();
}

// The first rule that removes `entry` (not counting the tail), if any.
// `repeated`: the corpus's repeated line keys; `seen`: this article's.
std::optional<FurnitureRule> RuleFor(
    const Article& article, const Line& entry, const FurnitureMatch& match,
    const FurnitureOptions& opt, const absl::flat_hash_set<uint64_t>& repeated,
    absl::flat_hash_set<uint64_t>* seen) {
  // A literal found only inside the line ("said on Twitter", "via apps")
  // does not make a sentence of reporting furniture.
  if ((match.pattern || match.caption) && (match.anchored || !entry.sentence)) {
    return match.pattern ? FurnitureRule::kPattern : FurnitureRule::kCaption;
  }
  if (!seen->insert(entry.article_key).second) {
    return FurnitureRule::kRepeatedInArticle;
  }
  if (entry.words <= opt.max_furniture_words && !article.source.empty() &&
      repeated.contains(entry.repeat_key)) {
    return FurnitureRule::kCorpusRepeat;
  }
  if (opt.fragment_words > 0 && entry.words <= opt.fragment_words &&
      !EndsSentence(entry.text)) {
    return FurnitureRule::kFragment;
  }
  return std::nullopt;
}

}  // namespace

CleanText FurnitureFilter::Clean(const Article& article) const {
  CleanText out;
  thread_local CleanScratch scratch;
  scratch.Clear();
  const size_t content_lines = KeyLines(
      article.text, SourceSeed(article.source), rep_->options, &scratch);
  // Each line kept or removed by the first rule that holds; from a tail
  // marker in the second half on, every line goes, unless several
  // sentences of reporting follow it (a promotion such as "More from ...:
  // <headline>" set between paragraphs does not end the article; a
  // promotional paragraph after "Read Next:" does not make it go on).
  size_t reporting_left = 0;
  for (Line& entry : scratch.lines) {
    entry.reporting =
        entry.sentence && !(entry.furniture >= 0 &&
                            scratch.furniture.match(entry.furniture).pattern);
    reporting_left += entry.reporting;
  }
  bool in_tail = false;
  size_t content_index = 0;
  for (const Line& entry : scratch.lines) {
    const std::string_view line = entry.text;
    if (line.empty()) {
      if (!in_tail) scratch.kept.push_back("");
      continue;
    }
    ++content_index;
    reporting_left -= entry.reporting;
    const FurnitureMatch match = entry.furniture >= 0
                                     ? scratch.furniture.match(entry.furniture)
                                     : FurnitureMatch();
    if (!in_tail && match.tail && 2 * content_index > content_lines &&
        reporting_left < kTailReportingSentences) {
      in_tail = true;
    }
    if (in_tail) {
      out.removed.push_back({std::string(line), FurnitureRule::kTail});
      continue;
    }
    if (auto rule = RuleFor(article, entry, match, rep_->options,
                            rep_->repeated, &scratch.seen)) {
      out.removed.push_back({std::string(line), *rule});
      continue;
    }
    scratch.kept.push_back(line);
  }
  out.text.reserve(article.text.size());
  JoinLines(scratch.kept, &out.text);
  scratch.Trim();
  return out;
}

}  // namespace storycluster
