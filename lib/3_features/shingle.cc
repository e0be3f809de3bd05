// Word shingles hashed with XXH3, and exact Jaccard over sorted sets.
#include <algorithm>
#include <string>

#include "lib/common/hash_sort.h"
#include "lib/common/sorted_sets.h"
#include "lib/common/xxhash_inline.h"
#include "storycluster/features.h"

namespace storycluster {

namespace {

// Hashes of the k-shingles of the words of `joined` (texts each followed
// by U+001F) that start at `starts` (followed by the end of the last word),
// sorted and unique. The shingle starting at word i is the span from word
// i's start to word i + width's start, so no shingle is copied.
std::vector<uint64_t> HashShingles(std::string_view joined,
                                   absl::Span<const uint32_t> starts, int k) {
  std::vector<uint64_t> out;
  if (starts.size() < 2) return out;
  const size_t words = starts.size() - 1;
  const size_t width = std::min(words, static_cast<size_t>(k));
  out.reserve(words - width + 1);
  for (size_t i = 0; i + width <= words; ++i) {
    out.push_back(XXH3_64bits_withSeed(joined.data() + starts[i],
                                       starts[i + width] - starts[i],
                                       kShingleSeed));
  }
  SortHashes(out);
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

std::vector<uint64_t> ShingleHashes(absl::Span<const Token> tokens, int k) {
  std::string joined;
  std::vector<uint32_t> starts;
  starts.reserve(tokens.size() + 1);
  for (const Token& t : tokens) {
    if (t.kind == TokenKind::kUrl) continue;
    starts.push_back(static_cast<uint32_t>(joined.size()));
    joined.append(t.text);
    joined.push_back('\x1f');
  }
  starts.push_back(static_cast<uint32_t>(joined.size()));
  return HashShingles(joined, starts, k);
}

std::vector<uint64_t> ShingleHashes(const TokenList& tokens, size_t first,
                                    size_t last, int k) {
  // Non-URL texts lie one after another in tokens.text.
  std::vector<uint32_t> starts;
  starts.reserve(last - first + 1);
  uint32_t end = 0;
  for (size_t i = first; i < last; ++i) {
    const PackedToken& e = tokens.tokens[i];
    if (e.kind == TokenKind::kUrl) continue;
    starts.push_back(e.text_begin);
    end = e.text_begin + e.text_size + 1;
  }
  starts.push_back(end);
  return HashShingles(tokens.text, starts, k);
}

double ExactJaccard(absl::Span<const uint64_t> a,
                    absl::Span<const uint64_t> b) {
  if (a.empty() && b.empty()) return 0.0;
  const size_t common = CommonCount(a, b);
  return static_cast<double>(common) /
         static_cast<double>(a.size() + b.size() - common);
}

}  // namespace storycluster
