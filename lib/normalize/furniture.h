// Internal: the site-furniture literals (the pattern list, photo-caption
// credits and tail markers) and the one-scan matcher of a line key against
// all of them (lib/normalize/boilerplate.cc).
#ifndef STORYCLUSTER_LIB_NORMALIZE_FURNITURE_H_
#define STORYCLUSTER_LIB_NORMALIZE_FURNITURE_H_

#include <cstdint>
#include <string_view>

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
  bool operator==(const FurnitureMatch&) const = default;
};

// The groups with a literal that lies in `key` (a LineKey's key) where its
// anchor says. All literals are matched in one scan of the key (Hyperscan,
// compiled once per process); the per-thread scratch it needs is kept by
// the calling thread. Thread-safe.
FurnitureMatch FindFurniture(std::string_view key);

}  // namespace storycluster

#endif  // STORYCLUSTER_LIB_NORMALIZE_FURNITURE_H_
