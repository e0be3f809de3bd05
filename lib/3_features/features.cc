// Features: furniture removal, tokenization, word shingles, stemmed
// content terms and entity-like terms for one article.
#include "storycluster/features.h"

#include <libstemmer.h>

#include <algorithm>
#include <cmath>
#include <deque>

#include "absl/container/flat_hash_map.h"
#include "lib/common/key_sort.h"
#include "lib/common/reused_buffers.h"
#include "lib/common/xxhash_inline.h"

namespace storycluster {
namespace {

struct StemmerDeleter {
  void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
};

// Content terms: not stop words, and not single Latin letters or digits.
bool IsContentTerm(const PackedToken& t) {
  if (t.stop_word || t.kind == TokenKind::kUrl) return false;
  return t.kind == TokenKind::kIdeographic || t.text_size >= 2;
}

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }

// True when the token starts a sentence: only spaces and opening quotes lie
// between it and the text start or a sentence end (. ! ? or a line break).
bool StartsSentence(std::string_view text, uint32_t begin) {
  size_t i = begin;
  while (i > 0) {
    const unsigned char c = static_cast<unsigned char>(text[i - 1]);
    if (c == ' ' || c == '"' || c == '\'' || c == '(' || c == '\t' ||
        c >= 0x80) {
      --i;  // spaces, quotes, and the bytes of curly quotes
      continue;
    }
    return c == '.' || c == '!' || c == '?' || c == '\n' || c == ':';
  }
  return true;
}

bool IsAcronym(std::string_view original) {
  if (original.size() < 2) return false;
  return std::all_of(original.begin(), original.end(),
                     [](char c) { return IsUpper(c) || c == '.' || c == '&'; });
}

// Title Case headlines capitalise every word; their capitals say nothing.
bool IsTitleCase(std::string_view title, const TokenList& list, size_t first,
                 size_t last) {
  int words = 0, capitalised = 0;
  for (size_t i = first; i < last; ++i) {
    const PackedToken& t = list.tokens[i];
    if (t.kind != TokenKind::kWord || t.stop_word) continue;
    ++words;
    capitalised += IsUpper(title[t.begin]);
  }
  return words >= 3 && capitalised * 10 >= words * 7;
}

// The first 8 bytes of `s`, big-endian, zero-padded: ordering by it and
// then by the whole string is the byte order of std::string.
uint64_t PrefixKey(std::string_view s) {
  uint64_t key = 0;
  for (size_t i = 0; i < 8; ++i) {
    key = key << 8 |
          (i < s.size() ? static_cast<unsigned char>(s[i]) : uint64_t{0});
  }
  return key;
}

constexpr uint32_t kNone = UINT32_MAX;

// A string's 128-bit XXH3 hash, which stands for the string in the
// vocabulary tables, so that a lookup reads the table's slot and never the
// stored text. Two different strings of one vocabulary share a 128-bit
// hash with probability about n^2 / 2^129: 1.5e-27 for a million words.
struct TextId {
  uint64_t low = 0, high = 0;
  bool operator==(const TextId&) const = default;
};

TextId IdOf(std::string_view text) {
  const XXH128_hash_t h = XXH3_128bits(text.data(), text.size());
  return {h.low64, h.high64};
}

// The id's low half is already a uniform hash.
struct TextIdHash {
  size_t operator()(const TextId& id) const { return id.low; }
};

// Strings with slots: each distinct string gets the next slot, its text
// kept in stable storage and its sort key.
class SlotTable {
 public:
  uint32_t Find(const TextId& id) const {
    auto it = slots_.find(id);
    return it == slots_.end() ? kNone : it->second;
  }
  // Requests the memory Find(id) will read.
  void Prefetch(const TextId& id) const { slots_.prefetch(id); }
  // Inserts `text`, whose id `id` is not in the table.
  uint32_t Add(std::string_view text, const TextId& id) {
    const auto slot = static_cast<uint32_t>(text_.size());
    const std::string& stored = storage_.emplace_back(text);
    text_.push_back(stored);
    key_.push_back(PrefixKey(stored));
    slots_.emplace(id, slot);
    return slot;
  }
  std::string_view text(uint32_t slot) const { return text_[slot]; }
  size_t size() const { return text_.size(); }
  void Clear() {
    slots_.clear();
    storage_.clear();
    text_.clear();
    key_.clear();
  }
  // Sorts slots by their strings. The slots' 8-byte prefix keys are
  // sorted with the slots beside them (SortKeyed: vectorized from
  // kVectorSortFrom slots); each run of keys that tie is then sorted by
  // the whole strings: the order of the strings. Comparison sorts of such
  // keys mispredict their branches; the vectorized sort has none to
  // mispredict (docs/performance-log.md, part 21).
  void Sort(std::vector<uint32_t>& slots) {
    const size_t n = slots.size();
    keyed_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      keyed_[i].key = key_[slots[i]];
      keyed_[i].value = slots[i];
    }
    SortKeyed(keyed_.data(), n);
    for (size_t begin = 0; begin < n;) {
      size_t end = begin + 1;
      while (end < n && keyed_[end].key == keyed_[begin].key) ++end;
      if (end - begin > 1) {
        std::sort(keyed_.begin() + static_cast<ptrdiff_t>(begin),
                  keyed_.begin() + static_cast<ptrdiff_t>(end),
                  [this](const KeyedItem& a, const KeyedItem& b) {
                    return text_[a.value] < text_[b.value];
                  });
      }
      begin = end;
    }
    for (size_t i = 0; i < n; ++i) {
      slots[i] = static_cast<uint32_t>(keyed_[i].value);
    }
    if (keyed_.capacity() * sizeof(KeyedItem) > kMaxReusedBufferBytes) {
      std::vector<KeyedItem>().swap(keyed_);
    }
  }

 private:
  absl::flat_hash_map<TextId, uint32_t, TextIdHash> slots_;
  std::deque<std::string> storage_;
  std::vector<std::string_view> text_;
  std::vector<uint64_t> key_;
  std::vector<KeyedItem> keyed_;  // Sort's scratch
};

// Term weights of one article by slot, accumulated in the order added.
// A slot counts once added, even with weight 0. A slot's weight and stamp
// share a cell: one cache line brings both.
class SlotWeights {
 public:
  void Start(size_t slots) {
    if (cells_.size() < slots) cells_.resize(slots);
    added.clear();
    ++round_;
  }
  void Add(uint32_t slot, float w) {
    Cell& c = cells_[slot];
    if (c.stamp != round_) {
      c.stamp = round_;
      c.weight = 0;
      added.push_back(slot);
    }
    c.weight += w;
  }
  // Whether `slot` was added this round.
  bool Has(uint32_t slot) const { return cells_[slot].stamp == round_; }
  float weight(uint32_t slot) const { return cells_[slot].weight; }
  void Reset() { *this = SlotWeights(); }

  std::vector<uint32_t> added;  // slots added this round

 private:
  struct Cell {
    float weight = 0;
    uint32_t stamp = 0;  // == round_ when added this round
  };
  std::vector<Cell> cells_;  // by slot
  uint32_t round_ = 0;
};

// Appends the ids in `dictionary` and the weights of `weights.added`, whose
// strings are in `table`. `cached(slot)` is the slot's id in the
// dictionary with serial `*serial` (kNone: not asked yet); a different
// dictionary starts the cache over (`clear_cache`).
template <typename Cached, typename ClearCache>
void InternSlots(const SlotWeights& weights, const SlotTable& table,
                 TermDictionary& dictionary, uint64_t* serial,
                 const Cached& cached, const ClearCache& clear_cache,
                 std::vector<uint32_t>* ids, std::vector<float>* out_weights) {
  if (*serial != dictionary.serial()) {
    clear_cache();
    *serial = dictionary.serial();
  }
  for (uint32_t slot : weights.added) {
    uint32_t& id = cached(slot);
    if (id == kNone) id = dictionary.Intern(table.text(slot));
    ids->push_back(id);
    out_weights->push_back(weights.weight(slot));
  }
}

}  // namespace

struct FeatureExtractor::Rep {
  FeatureOptions options;
  std::shared_ptr<const FurnitureFilter> furniture;
  std::unique_ptr<Tokenizer> tokenizer;
  std::unique_ptr<sb_stemmer, StemmerDeleter> stemmer;
  TokenList tokens;          // reused per article
  size_t removed_lines = 0;  // of the last article

  // The extractor's vocabulary. News vocabulary is small next to its
  // running text, so each distinct token text ("word") is looked up once:
  // its stop-word flag, its content term (its stem, or itself when it is
  // not a word) and its ids in the caller's dictionaries are kept by word
  // slot. Bounded: dropped, between articles, at kMaxWords words.
  static constexpr size_t kMaxWords = size_t{1} << 20;
  SlotTable words;  // token texts; also the entity terms
  SlotTable terms;  // content terms
  // What is known of a word, in one cell: its tokens read it in turn.
  struct WordInfo {
    uint32_t stem_term = kNone;  // term of its stem
    uint32_t self_term = kNone;  // term of its text
    uint32_t entity_id = kNone;  // id in `entity_serial`
  };
  std::vector<WordInfo> word_info;  // by word
  // By word: its stop-word flag, apart from word_info so that the token
  // loop reads a byte a word (the table stays in cache) and not a cell.
  std::vector<uint8_t> word_stop;
  std::vector<uint32_t> term_id;  // by term: id in `term_serial`
  uint64_t entity_serial = 0, term_serial = 0;

  // Per article: each token's text id (unset for URLs) in two halves, its
  // word (kNone for URLs), the weights. Kept as whole TextIds, each id
  // went through the stack: the hash's halves stored 8 bytes at a time,
  // then loaded as one 16-byte value, which the stores cannot forward (a
  // stall a token; ~2 us an article of 400 tokens in a microbenchmark).
  std::vector<uint64_t> token_low, token_high;
  TextId token_id(size_t i) const { return {token_low[i], token_high[i]}; }
  std::vector<uint32_t> token_word;
  SlotWeights term_weights, entity_weights;
  SlotWeights mid_sentence;  // words capitalised mid-sentence, per call
  std::vector<uint32_t> initial;

  void ClearVocabulary() {
    words.Clear();
    terms.Clear();
    word_info.clear();
    word_stop.clear();
    term_id.clear();
    term_weights.Reset();
    entity_weights.Reset();
    mid_sentence.Reset();
  }

  uint32_t Word(std::string_view text, const TextId& id) {
    uint32_t w = words.Find(id);
    if (w != kNone) return w;
    w = words.Add(text, id);
    word_info.emplace_back();
    word_stop.push_back(IsStopWord(text));
    return w;
  }

  uint32_t Term(std::string_view text) {
    const TextId id = IdOf(text);
    uint32_t t = terms.Find(id);
    if (t != kNone) return t;
    t = terms.Add(text, id);
    term_id.push_back(kNone);
    return t;
  }

  // Content term of a token: words are reduced to their stem.
  uint32_t TermOf(const PackedToken& e, uint32_t w) {
    const bool stemmed = e.kind == TokenKind::kWord && stemmer != nullptr;
    WordInfo& info = word_info[w];
    uint32_t& term = stemmed ? info.stem_term : info.self_term;
    if (term == kNone) {
      const std::string_view text = words.text(w);
      term = Term(stemmed ? Stem(text) : text);
    }
    return term;
  }

  std::string_view Stem(std::string_view text) {
    const sb_symbol* s = sb_stemmer_stem(
        stemmer.get(), reinterpret_cast<const sb_symbol*>(text.data()),
        static_cast<int>(text.size()));
    if (s == nullptr) return text;
    return {reinterpret_cast<const char*>(s),
            static_cast<size_t>(sb_stemmer_length(stemmer.get()))};
  }

  // Entity-like terms of tokens [first, last) (which came from `text`),
  // weighted by `weight` per occurrence.
  void AddEntities(std::string_view text, size_t first, size_t last,
                   float weight) {
    mid_sentence.Start(words.size());
    initial.clear();
    for (size_t i = first; i < last; ++i) {
      const PackedToken& t = tokens.tokens[i];
      const uint32_t w = token_word[i];
      if (t.kind == TokenKind::kNumber) {
        if (t.text_size >= 2) entity_weights.Add(w, weight);
        continue;
      }
      if (t.kind != TokenKind::kWord || t.stop_word || t.text_size < 2) {
        continue;
      }
      const std::string_view original = text.substr(t.begin, t.end - t.begin);
      if (!IsUpper(original.front())) continue;
      if (IsAcronym(original) || !StartsSentence(text, t.begin)) {
        entity_weights.Add(w, weight);
        mid_sentence.Add(w, 0);
      } else {
        initial.push_back(w);
      }
    }
    // A capitalised sentence-initial word counts when the same word is
    // capitalised mid-sentence elsewhere ("Reid said..." after "Tara Reid").
    for (uint32_t w : initial) {
      if (mid_sentence.Has(w)) {
        entity_weights.Add(w, weight);
      }
    }
  }

  // Tokenizes `article` (title first, then its cleaned body) into `tokens`;
  // returns its shingles. With terms, also fills term_weights and
  // entity_weights with the slots in the order of their strings.
  std::vector<uint64_t> Run(const Article& article);
};

std::vector<uint64_t> FeatureExtractor::Rep::Run(const Article& article) {
  // A token buffer the last article grew too large is not reused.
  if (tokens.buffer_bytes() > kMaxReusedBufferBytes) tokens = TokenList();
  const CleanText clean = furniture->Clean(article);
  removed_lines = clean.removed.size();
  tokens.clear();
  tokenizer->TokenizeTo(article.title, 0, &tokens);
  const size_t title_tokens = tokens.size();
  tokenizer->TokenizeTo(clean.text, 0, &tokens);
  const size_t all = tokens.size();
  const int k = options.shingle_size;
  std::vector<uint64_t> shingles = ShingleHashes(tokens, title_tokens, all, k);
  if (shingles.empty()) shingles = ShingleHashes(tokens, 0, all, k);
  if (!options.terms) return shingles;
  if (words.size() >= kMaxWords) ClearVocabulary();
  // Words and stop-word flags first: they decide content terms, entities
  // and title case.
  // The vocabulary outgrows the cache: each token's slot is requested
  // kAhead tokens before it is looked up, so that the misses overlap.
  constexpr size_t kAhead = 8;
  token_low.resize(all);
  token_high.resize(all);
  for (size_t i = 0; i < all; ++i) {
    const PackedToken& t = tokens.tokens[i];
    if (t.kind == TokenKind::kUrl) continue;
    const TextId id = IdOf(tokens.TextOf(t));
    token_low[i] = id.low;
    token_high[i] = id.high;
  }
  for (size_t i = 0; i < std::min(all, kAhead); ++i) {
    words.Prefetch(token_id(i));
  }
  token_word.resize(all);
  for (size_t i = 0; i < all; ++i) {
    if (i + kAhead < all) words.Prefetch(token_id(i + kAhead));
    PackedToken& t = tokens.tokens[i];
    if (t.kind == TokenKind::kUrl) {
      token_word[i] = kNone;
      continue;
    }
    const uint32_t w = Word(tokens.TextOf(t), token_id(i));
    token_word[i] = w;
    t.stop_word = t.kind == TokenKind::kWord && word_stop[w] != 0;
  }
  const float title_weight = static_cast<float>(options.title_weight);
  const float lead_weight = static_cast<float>(options.lead_weight);
  const size_t lead_end =
      std::min(all, title_tokens + static_cast<size_t>(options.lead_tokens));
  term_weights.Start(terms.size() + all);  // new terms: at most one a token
  for (size_t i = 0; i < all; ++i) {
    const PackedToken& t = tokens.tokens[i];
    if (!IsContentTerm(t)) continue;
    const float weight = i < title_tokens ? title_weight
                         : i < lead_end   ? lead_weight
                                          : 1.0f;
    term_weights.Add(TermOf(t, token_word[i]), weight);
  }
  terms.Sort(term_weights.added);
  entity_weights.Start(words.size());
  if (!IsTitleCase(article.title, tokens, 0, title_tokens)) {
    AddEntities(article.title, 0, title_tokens, title_weight);
  }
  AddEntities(clean.text, title_tokens, all, 1.0f);
  words.Sort(entity_weights.added);
  return shingles;
}

FeatureExtractor::FeatureExtractor(std::unique_ptr<Rep> rep)
    : rep_(std::move(rep)) {}
FeatureExtractor::~FeatureExtractor() = default;

absl::StatusOr<std::unique_ptr<FeatureExtractor>> FeatureExtractor::Create(
    const FeatureOptions& options, absl::Span<const Article> corpus) {
  auto furniture = FurnitureFilter::Create(options.furniture, corpus);
  if (!furniture.ok()) return furniture.status();
  return FromFilter(options, std::shared_ptr<const FurnitureFilter>(
                                 std::move(furniture).value()));
}

absl::StatusOr<std::unique_ptr<FeatureExtractor>> FeatureExtractor::FromFilter(
    const FeatureOptions& options,
    std::shared_ptr<const FurnitureFilter> furniture) {
  if (options.shingle_size < 1 || options.shingle_size > 16) {
    return absl::InvalidArgumentError("shingle_size must be in [1, 16]");
  }
  if (!(options.title_weight > 0) || !std::isfinite(options.title_weight) ||
      !(options.lead_weight > 0) || !std::isfinite(options.lead_weight)) {
    return absl::InvalidArgumentError(
        "title_weight and lead_weight must be positive and finite");
  }
  if (options.lead_tokens < 0) {
    return absl::InvalidArgumentError("lead_tokens must not be negative");
  }
  if (furniture == nullptr) {
    return absl::InvalidArgumentError("FeatureExtractor needs a filter");
  }
  auto rep = std::make_unique<Rep>();
  rep->options = options;
  rep->furniture = std::move(furniture);
  TokenizerOptions tokenizer_options;
  tokenizer_options.keep_urls = false;
  // Stop words are looked up once per distinct word (Rep::Word), and
  // copy detection alone (no terms) needs none.
  tokenizer_options.mark_stop_words = false;
  auto tokenizer = Tokenizer::Create(tokenizer_options);
  if (!tokenizer.ok()) return tokenizer.status();
  rep->tokenizer = std::move(tokenizer).value();
  if (options.stem) {
    rep->stemmer.reset(sb_stemmer_new("english", "UTF_8"));
    if (rep->stemmer == nullptr) {
      return absl::InternalError("Snowball English stemmer unavailable");
    }
  }
  return std::unique_ptr<FeatureExtractor>(
      new FeatureExtractor(std::move(rep)));
}

absl::StatusOr<std::unique_ptr<FeatureExtractor>> FeatureExtractor::Clone()
    const {
  return FromFilter(rep_->options, rep_->furniture);
}

ArticleFeatures FeatureExtractor::Extract(const Article& article) {
  ArticleFeatures out;
  Rep& r = *rep_;
  out.shingles = r.Run(article);
  out.removed_lines = r.removed_lines;
  if (!r.options.terms) return out;
  for (uint32_t t : r.term_weights.added) {
    out.terms.push_back(
        {std::string(r.terms.text(t)), r.term_weights.weight(t)});
  }
  for (uint32_t w : r.entity_weights.added) {
    out.entities.push_back(
        {std::string(r.words.text(w)), r.entity_weights.weight(w)});
  }
  return out;
}

std::vector<uint64_t> FeatureExtractor::ExtractInterned(
    const Article& article, TermDictionary& terms, TermDictionary& entities,
    InternedTerms* out) {
  Rep& r = *rep_;
  std::vector<uint64_t> shingles = r.Run(article);
  out->term_ids.clear();
  out->term_weights.clear();
  out->entity_ids.clear();
  out->entity_weights.clear();
  if (!r.options.terms) return shingles;
  InternSlots(
      r.term_weights, r.terms, terms, &r.term_serial,
      [&r](uint32_t t) -> uint32_t& { return r.term_id[t]; },
      [&r] { r.term_id.assign(r.term_id.size(), kNone); }, &out->term_ids,
      &out->term_weights);
  InternSlots(
      r.entity_weights, r.words, entities, &r.entity_serial,
      [&r](uint32_t w) -> uint32_t& { return r.word_info[w].entity_id; },
      [&r] {
        for (Rep::WordInfo& info : r.word_info) info.entity_id = kNone;
      },
      &out->entity_ids, &out->entity_weights);
  return shingles;
}

}  // namespace storycluster
