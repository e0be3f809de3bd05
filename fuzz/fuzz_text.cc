// libFuzzer target: normalization, tokenization (ICU), furniture removal
// and feature extraction of arbitrary bytes as an article's title and text.
// Checks that token byte ranges lie inside the input, and that the fast
// ASCII path gives exactly the ICU path's tokens (a differential fuzzer).
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "storycluster/features.h"
#include "storycluster/text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto tokenizer = storycluster::Tokenizer::Create();
  static auto icu_tokenizer = [] {
    storycluster::TokenizerOptions options;
    options.fast_ascii = false;
    return storycluster::Tokenizer::Create(options);
  }();
  static auto normalizer = storycluster::TextNormalizer::Create();
  static auto extractor = storycluster::FeatureExtractor::Create(
      storycluster::FeatureOptions{}, {});
  if (!tokenizer.ok() || !icu_tokenizer.ok() || !normalizer.ok() ||
      !extractor.ok()) {
    std::abort();
  }
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto fast = (*tokenizer)->Tokenize(text);
  const auto icu = (*icu_tokenizer)->Tokenize(text);
  if (fast.size() != icu.size()) std::abort();
  for (size_t i = 0; i < fast.size(); ++i) {
    const auto& t = fast[i];
    if (t.begin >= t.end || t.end > size) std::abort();
    if (t.text != icu[i].text || t.begin != icu[i].begin ||
        t.end != icu[i].end || t.kind != icu[i].kind) {
      std::abort();
    }
  }
  (void)(*normalizer)->Normalize(text);
  storycluster::Article article;
  article.id = "fuzz";
  const size_t split = text.find('\n');
  article.title = std::string(text.substr(0, split));
  article.text = split == std::string_view::npos
                     ? ""
                     : std::string(text.substr(split + 1));
  article.source = "fuzz";
  const auto features = (*extractor)->Extract(article);
  if (!std::is_sorted(features.shingles.begin(), features.shingles.end())) {
    std::abort();
  }
  return 0;
}
