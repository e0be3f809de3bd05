// Word shingles hashed with XXH3, and exact Jaccard over sorted sets.
#include "storycluster/shingle.h"

#include <xxhash.h>

#include <algorithm>
#include <string>

namespace storycluster {

std::vector<uint64_t> ShingleHashes(absl::Span<const Token> tokens, int k) {
  // Token texts joined by U+001F (unit separator, never inside a token).
  std::vector<const std::string*> words;
  words.reserve(tokens.size());
  for (const Token& t : tokens) {
    if (t.kind != TokenKind::kUrl) words.push_back(&t.text);
  }
  std::vector<uint64_t> out;
  if (words.empty()) return out;
  const size_t width = std::min(words.size(), static_cast<size_t>(k));
  std::string buffer;
  out.reserve(words.size() - width + 1);
  for (size_t i = 0; i + width <= words.size(); ++i) {
    buffer.clear();
    for (size_t j = i; j < i + width; ++j) {
      buffer.append(*words[j]);
      buffer.push_back('\x1f');
    }
    out.push_back(
        XXH3_64bits_withSeed(buffer.data(), buffer.size(), kShingleSeed));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

double ExactJaccard(absl::Span<const uint64_t> a,
                    absl::Span<const uint64_t> b) {
  if (a.empty() && b.empty()) return 0.0;
  size_t i = 0, j = 0, common = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      ++common;
      ++i;
      ++j;
    }
  }
  return static_cast<double>(common) /
         static_cast<double>(a.size() + b.size() - common);
}

}  // namespace storycluster
