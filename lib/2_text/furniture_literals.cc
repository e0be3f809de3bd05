// The site-furniture literals and their matcher: every literal is one
// Hyperscan expression, so a line key is scanned once for all of them.
#include "lib/2_text/furniture_literals.h"

#include <hs/hs.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

namespace storycluster {
namespace {

using G = FurnitureGroup;
using A = FurnitureAnchor;

// Site furniture common to news sites, photo credits and the markers of an
// article's closing furniture. Matched against a line's key; only lines of
// at most max_furniture_words words are considered.
constexpr auto kLiterals = std::to_array<FurnitureLiteral>({
    {G::kPattern, A::kExact, "advertisement"},
    {G::kPattern, A::kExact, "advertisements"},
    {G::kPattern, A::kExact, "sponsored"},
    {G::kPattern, A::kExact, "sponsored content"},
    {G::kPattern, A::kExact, "loading..."},
    {G::kPattern, A::kExact, "loading"},
    {G::kPattern, A::kExact, "share"},
    {G::kPattern, A::kExact, "share this article"},
    {G::kPattern, A::kExact, "comments"},
    {G::kPattern, A::kExact, "skip to main content"},
    {G::kPattern, A::kExact, "see also:"},
    {G::kPattern, A::kExact, "related"},
    {G::kPattern, A::kExact, "related articles"},
    {G::kPattern, A::kExact, "related stories"},
    {G::kPattern, A::kExact, "most read"},
    {G::kPattern, A::kPrefix, "reading time:"},
    {G::kPattern, A::kPrefix, "read next:"},
    {G::kPattern, A::kPrefix, "read more:"},
    {G::kPattern, A::kPrefix, "also read:"},
    {G::kPattern, A::kPrefix, "related:"},
    {G::kPattern, A::kPrefix, "posted in:"},
    {G::kPattern, A::kPrefix, "filed under:"},
    {G::kPattern, A::kPrefix, "tags:"},
    {G::kPattern, A::kPrefix, "photo via "},
    {G::kPattern, A::kPrefix, "photo:"},
    {G::kPattern, A::kPrefix, "image:"},
    {G::kPattern, A::kPrefix, "image source:"},
    {G::kPattern, A::kPrefix, "(photo"},
    {G::kPattern, A::kPrefix, "copyright "},
    {G::kPattern, A::kPrefix, "\xc2\xa9"},  // ©
    {G::kPattern, A::kPrefix, "click here"},
    {G::kPattern, A::kPrefix, "sign up for"},
    {G::kPattern, A::kPrefix, "sign up to"},
    {G::kPattern, A::kPrefix, "subscribe to"},
    {G::kPattern, A::kPrefix, "download the"},
    {G::kPattern, A::kPrefix, "follow us"},
    {G::kPattern, A::kPrefix, "listen to this article"},
    {G::kPattern, A::kSuffix, "learn more."},
    {G::kPattern, A::kSuffix, "read more."},
    {G::kPattern, A::kSuffix, "click here."},
    {G::kPattern, A::kSuffix, "subscribe now."},
    {G::kPattern, A::kContains, "all rights reserved"},
    {G::kPattern, A::kContains, "brought to you by"},
    {G::kPattern, A::kContains, "newsletter"},
    {G::kPattern, A::kContains, " on facebook"},
    {G::kPattern, A::kContains, " on twitter"},
    {G::kPattern, A::kContains, " on instagram"},
    {G::kPattern, A::kContains, "app store"},
    {G::kPattern, A::kContains, "google play"},
    // Photo credits: anywhere, or without their edge spaces at the end.
    {G::kCaption, A::kContains, "photo: "},
    {G::kCaption, A::kContains, "photograph: "},
    {G::kCaption, A::kContains, "(photo"},
    {G::kCaption, A::kContains, "file photo"},
    {G::kCaption, A::kContains, " via ap"},
    {G::kCaption, A::kContains, "getty images"},
    {G::kCaption, A::kContains, "/afp"},
    {G::kCaption, A::kContains, "shutterstock"},
    {G::kCaption, A::kSuffix, "photo:"},
    {G::kCaption, A::kSuffix, "photograph:"},
    {G::kCaption, A::kSuffix, "(photo"},
    {G::kCaption, A::kSuffix, "file photo"},
    {G::kCaption, A::kSuffix, "via ap"},
    {G::kCaption, A::kSuffix, "getty images"},
    {G::kCaption, A::kSuffix, "/afp"},
    {G::kCaption, A::kSuffix, "shutterstock"},
    // Closing furniture; counts only in the second half of an article.
    {G::kTail, A::kPrefix, "read next:"},
    {G::kTail, A::kPrefix, "posted in:"},
    {G::kTail, A::kPrefix, "related articles"},
    {G::kTail, A::kPrefix, "recommended for you"},
    {G::kTail, A::kPrefix, "you may also like"},
    {G::kTail, A::kPrefix, "more from"},
});

// Aborts with `what`: the literals are fixed, so a database that does not
// compile is a bug in this file, and scratch that cannot be allocated is
// memory exhausted.
[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "storycluster: furniture matcher: %s\n", what);
  std::abort();
}

// The expression of a literal: its bytes, each but [a-z0-9] escaped as
// \xHH, between the anchors. Without HS_FLAG_UTF8 Hyperscan matches bytes,
// so UTF-8 in a literal matches literally.
std::string Expression(const FurnitureLiteral& literal) {
  std::string out;
  if (literal.anchor == A::kExact || literal.anchor == A::kPrefix) out += '^';
  for (const char ch : literal.text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out += ch;
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  if (literal.anchor == A::kExact || literal.anchor == A::kSuffix) out += '$';
  return out;
}

// A database of all literals, the expression id being the literal's
// index, compiled with `flags` on every expression.
const hs_database_t* Compile(unsigned expression_flags) {
  std::vector<std::string> expressions;
  for (const FurnitureLiteral& literal : kLiterals) {
    expressions.push_back(Expression(literal));
  }
  std::vector<const char*> pointers;
  std::vector<unsigned> flags, ids;
  for (size_t i = 0; i < expressions.size(); ++i) {
    pointers.push_back(expressions[i].c_str());
    flags.push_back(expression_flags);
    ids.push_back(static_cast<unsigned>(i));
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* error = nullptr;
  if (hs_compile_multi(pointers.data(), flags.data(), ids.data(),
                       static_cast<unsigned>(pointers.size()), HS_MODE_BLOCK,
                       nullptr, &db, &error) != HS_SUCCESS) {
    Fail(error != nullptr ? error->message : "does not compile");
  }
  return db;
}

// For one key: each literal reports its first match only
// (HS_FLAG_SINGLEMATCH), as a group is known once one literal of it
// matches.
const hs_database_t* KeyDatabase() {
  static const hs_database_t* const database = Compile(HS_FLAG_SINGLEMATCH);
  return database;
}

// For keys joined by '\n': ^ and $ also match after and before a newline
// (HS_FLAG_MULTILINE), i.e. at each key's ends; every match is reported,
// as a literal may match in several keys.
const hs_database_t* JoinedDatabase() {
  static const hs_database_t* const database = Compile(HS_FLAG_MULTILINE);
  return database;
}

// Sets the literal's group in `match`.
void SetGroup(const FurnitureLiteral& literal, FurnitureMatch& match) {
  if (literal.group != G::kTail && literal.anchor != A::kContains) {
    match.anchored = true;
  }
  switch (literal.group) {
    case G::kPattern:
      match.pattern = true;
      break;
    case G::kCaption:
      match.caption = true;
      break;
    case G::kTail:
      match.tail = true;
      break;
  }
}

bool AnchoredAtEnd(const FurnitureLiteral& literal) {
  return literal.anchor == A::kExact || literal.anchor == A::kSuffix;
}

// A thread's scratch space for scans of the database, freed with the
// thread.
class Scratch {
 public:
  ~Scratch() { hs_free_scratch(scratch_); }
  hs_scratch_t* Get(const hs_database_t* db) {
    if (scratch_ == nullptr && hs_alloc_scratch(db, &scratch_) != HS_SUCCESS) {
      Fail("cannot allocate scratch space");
    }
    return scratch_;
  }

 private:
  hs_scratch_t* scratch_ = nullptr;
};

struct ScanState {
  size_t size;  // of the key
  FurnitureMatch match;
};

int OnMatch(unsigned id, unsigned long long /*from*/, unsigned long long to,
            unsigned /*flags*/, void* context) {
  auto& state = *static_cast<ScanState*>(context);
  const FurnitureLiteral& literal = kLiterals[id];
  // Hyperscan's $ also matches before a final newline; a literal anchored
  // at the end must end the key itself (none ends in a newline, so the
  // same literal cannot match again at the very end).
  if (AnchoredAtEnd(literal) && to != state.size) return 0;
  SetGroup(literal, state.match);
  return 0;
}

struct JoinedState {
  absl::Span<const size_t> ends;  // FurnitureKeys::ends_
  absl::Span<FurnitureMatch> matches;
};

int OnJoinedMatch(unsigned id, unsigned long long /*from*/,
                  unsigned long long to, unsigned /*flags*/, void* context) {
  auto& state = *static_cast<JoinedState*>(context);
  // No literal holds a newline, so a match lies inside one key: the first
  // whose end is at or after the match's.
  const auto key = static_cast<size_t>(
      std::lower_bound(state.ends.begin(), state.ends.end(), to) -
      state.ends.begin());
  const FurnitureLiteral& literal = kLiterals[id];
  if (key == state.ends.size() ||
      (AnchoredAtEnd(literal) && to != state.ends[key])) {
    return 0;
  }
  SetGroup(literal, state.matches[key]);
  return 0;
}

}  // namespace

absl::Span<const FurnitureLiteral> FurnitureLiterals() { return kLiterals; }

FurnitureMatch FindFurniture(std::string_view key) {
  const hs_database_t* const db = KeyDatabase();
  // Never furniture, and past what one scan takes.
  if (key.size() > std::numeric_limits<unsigned>::max()) return {};
  thread_local Scratch scratch;
  ScanState state{key.size(), {}};
  if (hs_scan(db, key.data(), static_cast<unsigned>(key.size()), 0,
              scratch.Get(db), OnMatch, &state) != HS_SUCCESS) {
    Fail("scan failed");
  }
  return state.match;
}

void FurnitureKeys::Clear() {
  joined_.clear();
  ends_.clear();
  matches_.clear();
}

size_t FurnitureKeys::Add(std::string_view key) {
  joined_.append(key);
  ends_.push_back(joined_.size());
  joined_.push_back('\n');
  return ends_.size() - 1;
}

void FurnitureKeys::Scan() {
  matches_.assign(ends_.size(), FurnitureMatch());
  if (ends_.empty()) return;
  // A scan takes at most UINT_MAX bytes: longer keys are scanned alone.
  if (joined_.size() > std::numeric_limits<unsigned>::max()) {
    size_t begin = 0;
    for (size_t i = 0; i < ends_.size(); ++i) {
      matches_[i] = FindFurniture(
          std::string_view(joined_).substr(begin, ends_[i] - begin));
      begin = ends_[i] + 1;
    }
    return;
  }
  const hs_database_t* const db = JoinedDatabase();
  thread_local Scratch scratch;
  JoinedState state{ends_, absl::MakeSpan(matches_)};
  // The final newline is left out: the last key ends the data.
  if (hs_scan(db, joined_.data(), static_cast<unsigned>(joined_.size() - 1), 0,
              scratch.Get(db), OnJoinedMatch, &state) != HS_SUCCESS) {
    Fail("scan failed");
  }
}

size_t FurnitureKeys::buffer_bytes() const {
  return joined_.capacity() + ends_.capacity() * sizeof(size_t) +
         matches_.capacity() * sizeof(FurnitureMatch);
}

}  // namespace storycluster
