// Word shingles hashed with XXH3, and exact Jaccard over sorted sets.
#include "storycluster/shingle.h"

#include <xxhash.h>

#include <algorithm>
#include <string>

namespace storycluster {

std::vector<uint64_t> ShingleHashes(absl::Span<const Token> tokens, int k) {
  // A shingle is its token texts, each followed by U+001F (unit separator,
  // never inside a token), hashed. All texts are joined that way once; the
  // shingle starting at word i is then the span from word i's start to
  // word i + width's start, so no shingle is copied.
  std::string joined;
  std::vector<size_t> starts;  // of each word in `joined`, then its end
  starts.reserve(tokens.size() + 1);
  for (const Token& t : tokens) {
    if (t.kind == TokenKind::kUrl) continue;
    starts.push_back(joined.size());
    joined.append(t.text);
    joined.push_back('\x1f');
  }
  const size_t words = starts.size();
  starts.push_back(joined.size());
  std::vector<uint64_t> out;
  if (words == 0) return out;
  const size_t width = std::min(words, static_cast<size_t>(k));
  out.reserve(words - width + 1);
  for (size_t i = 0; i + width <= words; ++i) {
    out.push_back(XXH3_64bits_withSeed(joined.data() + starts[i],
                                       starts[i + width] - starts[i],
                                       kShingleSeed));
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
