// Features: boilerplate removal, tokenization, word shingles and weighted
// content terms for one article.
#include "storycluster/features.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"

namespace storycluster {

struct FeatureExtractor::Rep {
  FeatureOptions options;
  std::unique_ptr<BoilerplateFilter> boilerplate;
  std::unique_ptr<Tokenizer> tokenizer;
  std::vector<Token> tokens;  // reused per article
};

FeatureExtractor::FeatureExtractor(std::unique_ptr<Rep> rep)
    : rep_(std::move(rep)) {}
FeatureExtractor::~FeatureExtractor() = default;

absl::StatusOr<std::unique_ptr<FeatureExtractor>> FeatureExtractor::Create(
    const FeatureOptions& options, absl::Span<const Article> corpus) {
  if (options.shingle_size < 1 || options.shingle_size > 16) {
    return absl::InvalidArgumentError("shingle_size must be in [1, 16]");
  }
  auto rep = std::make_unique<Rep>();
  rep->options = options;
  auto boilerplate = BoilerplateFilter::Create(options.boilerplate, corpus);
  if (!boilerplate.ok()) return boilerplate.status();
  rep->boilerplate = std::move(boilerplate).value();
  TokenizerOptions tokenizer_options;
  tokenizer_options.keep_urls = false;
  auto tokenizer = Tokenizer::Create(tokenizer_options);
  if (!tokenizer.ok()) return tokenizer.status();
  rep->tokenizer = std::move(tokenizer).value();
  return std::unique_ptr<FeatureExtractor>(
      new FeatureExtractor(std::move(rep)));
}

namespace {

// Content terms: not stop words, and not single Latin letters or digits.
bool IsContentTerm(const Token& t) {
  if (t.stop_word || t.kind == TokenKind::kUrl) return false;
  return t.kind == TokenKind::kIdeographic || t.text.size() >= 2;
}

}  // namespace

ArticleFeatures FeatureExtractor::Extract(const Article& article) {
  ArticleFeatures out;
  const CleanText clean = rep_->boilerplate->Clean(article);
  out.removed_lines = clean.removed.size();
  std::vector<Token>& tokens = rep_->tokens;
  tokens.clear();
  rep_->tokenizer->TokenizeTo(article.title, 0, &tokens);
  const size_t title_tokens = tokens.size();
  rep_->tokenizer->TokenizeTo(clean.text, 0, &tokens);
  out.shingles =
      ShingleHashes(absl::MakeConstSpan(tokens).subspan(title_tokens),
                    rep_->options.shingle_size);
  if (out.shingles.empty())
    out.shingles = ShingleHashes(tokens, rep_->options.shingle_size);
  if (!rep_->options.terms) return out;
  absl::flat_hash_map<std::string, float> tf;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (!IsContentTerm(tokens[i])) continue;
    tf[tokens[i].text] += i < title_tokens
                              ? static_cast<float>(rep_->options.title_weight)
                              : 1.0f;
  }
  out.terms.reserve(tf.size());
  for (auto& [term, weight] : tf) out.terms.push_back({term, weight});
  std::sort(out.terms.begin(), out.terms.end(),
            [](const WeightedTerm& a, const WeightedTerm& b) {
              return a.term < b.term;
            });
  return out;
}

}  // namespace storycluster
