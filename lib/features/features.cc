// Features: boilerplate removal, tokenization, word shingles, stemmed
// content terms and entity-like terms for one article.
#include "storycluster/features.h"

#include <libstemmer.h>

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "lib/common/strings.h"

namespace storycluster {
namespace {

struct StemmerDeleter {
  void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
};

using Entry = TokenList::Entry;
// Term -> weight. Keys view the extractor's token texts and stems, which
// stay put while one article is extracted.
using TermWeights = absl::flat_hash_map<std::string_view, float>;

// Content terms: not stop words, and not single Latin letters or digits.
bool IsContentTerm(const Entry& t) {
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

// Collects the entity-like terms of tokens [first, last) (which came from
// `text`), weighted by `weight` per occurrence.
void AddEntities(std::string_view text, const TokenList& list, size_t first,
                 size_t last, float weight, TermWeights* out) {
  absl::flat_hash_set<std::string_view> mid_sentence;
  std::vector<std::string_view> initial;
  for (size_t i = first; i < last; ++i) {
    const Entry& t = list.tokens[i];
    const std::string_view term = list.TextOf(t);
    if (t.kind == TokenKind::kNumber) {
      if (term.size() >= 2) (*out)[term] += weight;
      continue;
    }
    if (t.kind != TokenKind::kWord || t.stop_word || term.size() < 2) continue;
    const std::string_view original = text.substr(t.begin, t.end - t.begin);
    if (!IsUpper(original.front())) continue;
    if (IsAcronym(original) || !StartsSentence(text, t.begin)) {
      (*out)[term] += weight;
      mid_sentence.insert(term);
    } else {
      initial.push_back(term);
    }
  }
  // A capitalised sentence-initial word counts when the same word is
  // capitalised mid-sentence elsewhere ("Reid said..." after "Tara Reid").
  for (std::string_view term : initial) {
    if (mid_sentence.contains(term)) (*out)[term] += weight;
  }
}

// Title Case headlines capitalise every word; their capitals say nothing.
bool IsTitleCase(std::string_view title, const TokenList& list, size_t first,
                 size_t last) {
  int words = 0, capitalised = 0;
  for (size_t i = first; i < last; ++i) {
    const Entry& t = list.tokens[i];
    if (t.kind != TokenKind::kWord || t.stop_word) continue;
    ++words;
    capitalised += IsUpper(title[t.begin]);
  }
  return words >= 3 && capitalised * 10 >= words * 7;
}

std::vector<WeightedTerm> Sorted(const TermWeights& m) {
  std::vector<WeightedTerm> out;
  out.reserve(m.size());
  for (const auto& [term, weight] : m) {
    out.push_back({std::string(term), weight});
  }
  std::sort(out.begin(), out.end(),
            [](const WeightedTerm& a, const WeightedTerm& b) {
              return a.term < b.term;
            });
  return out;
}

}  // namespace

struct FeatureExtractor::Rep {
  FeatureOptions options;
  std::shared_ptr<const BoilerplateFilter> boilerplate;
  std::unique_ptr<Tokenizer> tokenizer;
  std::unique_ptr<sb_stemmer, StemmerDeleter> stemmer;
  TokenList tokens;  // reused per article

  // Stems by word: news vocabulary is small next to its running text, so
  // each distinct word is stemmed once per extractor. A node map, so a stem
  // stays put while the cache grows. Bounded: the cache is dropped, between
  // articles, once it holds kMaxCachedStems words.
  static constexpr size_t kMaxCachedStems = size_t{1} << 20;
  absl::node_hash_map<std::string, std::string> stems;

  std::string_view Stem(std::string_view term) {
    if (!stemmer) return term;
    auto it = stems.find(AV(term));
    if (it != stems.end()) return it->second;
    const sb_symbol* s = sb_stemmer_stem(
        stemmer.get(), reinterpret_cast<const sb_symbol*>(term.data()),
        static_cast<int>(term.size()));
    std::string stem =
        s == nullptr
            ? std::string(term)
            : std::string(
                  reinterpret_cast<const char*>(s),
                  static_cast<size_t>(sb_stemmer_length(stemmer.get())));
    return stems.emplace(std::string(term), std::move(stem)).first->second;
  }
};

FeatureExtractor::FeatureExtractor(std::unique_ptr<Rep> rep)
    : rep_(std::move(rep)) {}
FeatureExtractor::~FeatureExtractor() = default;

absl::StatusOr<std::unique_ptr<FeatureExtractor>> FeatureExtractor::Create(
    const FeatureOptions& options, absl::Span<const Article> corpus) {
  auto boilerplate = BoilerplateFilter::Create(options.boilerplate, corpus);
  if (!boilerplate.ok()) return boilerplate.status();
  return FromFilter(options, std::shared_ptr<const BoilerplateFilter>(
                                 std::move(boilerplate).value()));
}

absl::StatusOr<std::unique_ptr<FeatureExtractor>> FeatureExtractor::FromFilter(
    const FeatureOptions& options,
    std::shared_ptr<const BoilerplateFilter> boilerplate) {
  if (options.shingle_size < 1 || options.shingle_size > 16) {
    return absl::InvalidArgumentError("shingle_size must be in [1, 16]");
  }
  if (boilerplate == nullptr) {
    return absl::InvalidArgumentError("FeatureExtractor needs a filter");
  }
  auto rep = std::make_unique<Rep>();
  rep->options = options;
  rep->boilerplate = std::move(boilerplate);
  TokenizerOptions tokenizer_options;
  tokenizer_options.keep_urls = false;
  // Copy detection alone (no terms) needs no stop words.
  tokenizer_options.mark_stop_words = options.terms;
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
  return FromFilter(rep_->options, rep_->boilerplate);
}

ArticleFeatures FeatureExtractor::Extract(const Article& article) {
  ArticleFeatures out;
  const CleanText clean = rep_->boilerplate->Clean(article);
  out.removed_lines = clean.removed.size();
  TokenList& tokens = rep_->tokens;
  tokens.clear();
  rep_->tokenizer->TokenizeTo(article.title, 0, &tokens);
  const size_t title_tokens = tokens.size();
  rep_->tokenizer->TokenizeTo(clean.text, 0, &tokens);
  const size_t all = tokens.size();
  const int k = rep_->options.shingle_size;
  out.shingles = ShingleHashes(tokens, title_tokens, all, k);
  if (out.shingles.empty()) out.shingles = ShingleHashes(tokens, 0, all, k);
  if (!rep_->options.terms) return out;
  if (rep_->stems.size() >= Rep::kMaxCachedStems) rep_->stems.clear();
  const float title_weight = static_cast<float>(rep_->options.title_weight);
  TermWeights tf;
  for (size_t i = 0; i < all; ++i) {
    const Entry& t = tokens.tokens[i];
    if (!IsContentTerm(t)) continue;
    const std::string_view text = tokens.TextOf(t);
    tf[t.kind == TokenKind::kWord ? rep_->Stem(text) : text] +=
        i < title_tokens ? title_weight : 1.0f;
  }
  out.terms = Sorted(tf);
  TermWeights entities;
  if (!IsTitleCase(article.title, tokens, 0, title_tokens)) {
    AddEntities(article.title, tokens, 0, title_tokens, title_weight,
                &entities);
  }
  AddEntities(clean.text, tokens, title_tokens, all, 1.0f, &entities);
  out.entities = Sorted(entities);
  return out;
}

}  // namespace storycluster
