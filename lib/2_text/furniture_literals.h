// Internal: the site-furniture literals (the pattern list, photo-caption
// credits and tail markers) and the one-scan matcher of a line key against
// all of them (lib/2_text/furniture_filter.cc).
#ifndef STORYCLUSTER_LIB_2_TEXT_FURNITURE_LITERALS_H_
#define STORYCLUSTER_LIB_2_TEXT_FURNITURE_LITERALS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/types/span.h"

namespace storycluster {

// The rule a literal belongs to.
enum class FurnitureGroup : uint8_t {
  kPattern,  // site furniture ("advertisement", "read more:")
  kCaption,  // a photo credit ("getty images")
  kTail,     // starts the closing furniture ("related articles")
};

// Where in the key a literal must lie.
enum class FurnitureAnchor : uint8_t { kExact, kPrefix, kSuffix, kContains };

struct FurnitureLiteral {
  FurnitureGroup group;
  FurnitureAnchor anchor;
  std::string_view text;  // lower-case, straight quotes, single spaces
};

// Every literal, in a fixed order.
absl::Span<const FurnitureLiteral> FurnitureLiterals();

// Which groups have a literal that matches a key.
struct FurnitureMatch {
  bool pattern = false;
  bool caption = false;
  bool tail = false;
  // A pattern or caption literal matched where it is anchored (the whole
  // line, its start or its end), not only inside the line.
  bool anchored = false;
  bool operator==(const FurnitureMatch&) const = default;
};

// The groups with a literal that lies in `key` (a LineKey's key) where its
// anchor says. All literals are matched in one scan of the key (Hyperscan,
// compiled once per process); the per-thread scratch it needs is kept by
// the calling thread. Thread-safe.
FurnitureMatch FindFurniture(std::string_view key);

// Many keys matched in one scan, as FindFurniture matches each: Add the
// keys, Scan, then read match(i) for the i-th key added. A scan has a
// fixed cost of its own (~330 ns, against ~50 ns for a 200-byte key's
// bytes), which one scan per article instead of one per line saves.
// The keys are scanned joined by '\n', so a key must not hold one (a
// LineKey's key of one line never does). Reused: Clear keeps the buffers.
class FurnitureKeys {
 public:
  void Clear();
  // Adds `key` (no '\n' in it); returns its index.
  size_t Add(std::string_view key);
  // Finds the matches of every key added.
  void Scan();
  const FurnitureMatch& match(size_t i) const { return matches_[i]; }
  size_t size() const { return ends_.size(); }
  // Bytes held by the reused buffers.
  size_t buffer_bytes() const;

 private:
  std::string joined_;        // the keys, each followed by '\n'
  std::vector<size_t> ends_;  // key i: [ends_[i - 1] + 1, ends_[i])
  std::vector<FurnitureMatch> matches_;
};

}  // namespace storycluster

#endif  // STORYCLUSTER_LIB_2_TEXT_FURNITURE_LITERALS_H_
