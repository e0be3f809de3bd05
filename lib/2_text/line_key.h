// Internal: a furniture line's match key, word count and repeat key
// (lib/2_text/furniture_filter.cc).
#ifndef STORYCLUSTER_LIB_2_TEXT_LINE_KEY_H_
#define STORYCLUSTER_LIB_2_TEXT_LINE_KEY_H_

#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "lib/common/swar.h"
#include "lib/common/xxhash_inline.h"

namespace storycluster {

// A line's match key: lower-case ASCII, straight quotes, collapsed white
// space (no-break spaces included); its word count; and its repeat key
// (the match key with digits folded to '0', hashed). The buffers are
// reused from line to line.
class LineKey {
 public:
  // Builds the key of `line`. Returns false when the line has more than
  // `max_words` words; the key is then unfinished and must not be used.
  bool Set(std::string_view line,
           int max_words = std::numeric_limits<int>::max()) {
    // Neither form is ever longer than the line.
    if (key_.size() < line.size()) {
      key_.resize(line.size());
      folded_.resize(line.size());
    }
    if (std::optional<bool> fast = SetPlain(line, max_words)) return *fast;
    char* const out = key_.data();
    // Branch-free for ASCII: every byte is written at `k`; a space only
    // advances `k` when the previous byte was not one, so runs collapse to
    // one space and leading spaces vanish (the text starts as if after a
    // space); a trailing space is dropped at the end. Words are counted at
    // their first byte.
    size_t k = 0;
    unsigned after_space = 1;
    int words = 0;
    const size_t n = line.size();
    for (size_t i = 0; i < n; ++i) {
      // Lines past `max_words` are not wanted: stop early (checked once
      // per 64 bytes, so the loop stays branch-free in between).
      if ((i & 63) == 63 && words > max_words) return false;
      unsigned char c = static_cast<unsigned char>(line[i]);
      if (c >= 0x80) [[unlikely]] {
        if (c == 0xe2 && i + 2 < n &&
            static_cast<unsigned char>(line[i + 1]) == 0x80) {
          const unsigned char last = static_cast<unsigned char>(line[i + 2]);
          if (last == 0x98 || last == 0x99) {  // ‘ ’
            c = '\'';
            i += 2;
          } else if (last == 0x9c || last == 0x9d) {  // “ ”
            c = '"';
            i += 2;
          }
        } else if (c == 0xc2 && i + 1 < n &&
                   static_cast<unsigned char>(line[i + 1]) == 0xa0) {
          c = ' ';  // no-break space
          ++i;
        }
      }
      // Table lookups and arithmetic only: word boundaries come every few
      // bytes, so a branch on them would be mispredicted once per word.
      const unsigned space = kSpace[c];
      out[k] = kLower[c];
      words += after_space & (space ^ 1);
      k += (space & after_space) ^ 1;
      after_space = space;
    }
    if (k > 0 && out[k - 1] == ' ') --k;
    size_ = k;
    words_ = words;
    return words <= max_words;
  }
  std::string_view key() const { return {key_.data(), size_}; }
  // Bytes held by the reused buffers.
  size_t buffer_bytes() const { return key_.capacity() + folded_.capacity(); }
  int words() const { return words_; }
  // The key with digits folded to '0', hashed.
  uint64_t RepeatKey(uint64_t seed) {
    const char* const key = key_.data();
    char* const fold = folded_.data();
    // A local size: the stores, being chars, could alias a member.
    const size_t n = size_;
    for (size_t i = 0; i < n; ++i) {  // a loop the compiler vectorizes
      const char c = key[i];
      fold[i] = static_cast<unsigned char>(c - '0') < 10 ? '0' : c;
    }
    return XXH3_64bits_withSeed(fold, n, seed);
  }

 private:
  // The common case, eight bytes at a time (SWAR): a plain line (ASCII, no
  // tab, no space at either end or next to another) is its own key but for
  // upper case, and has one word more than spaces. Returns what Set returns,
  // or nothing when the line is not plain (nothing is set then).
  std::optional<bool> SetPlain(std::string_view line, int max_words) {
    const size_t n = line.size();
    if (!swar::kLittleEndian || n == 0 || line.front() == ' ' ||
        line.back() == ' ') {
      return std::nullopt;
    }
    char* const out = key_.data();
    uint64_t last_space = 0;  // the previous word's space flags
    int spaces = 0;
    // Lower-cases the word x of `bytes` bytes at out + i; false when the
    // line is not plain or (*too_many) has too many words.
    bool too_many = false;
    auto word = [&](uint64_t x, size_t i, size_t bytes) {
      if ((x & swar::kHighBits) != 0 || swar::EqualBytes(x, '\t') != 0) {
        return false;
      }
      const uint64_t space = swar::EqualBytes(x, ' ');
      // A space right after a space, in this word or across the last two.
      if ((space & (space << 8 | last_space >> 56)) != 0) return false;
      last_space = space;
      spaces += swar::CountFlags(space);
      // Each space so far ends a word: past max_words spaces, the line has
      // too many words whatever follows.
      if (spaces > max_words) {
        too_many = true;
        return false;
      }
      x = swar::LowerAscii(x);
      std::memcpy(out + i, &x, bytes);
      return true;
    };
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      uint64_t x;
      std::memcpy(&x, line.data() + i, 8);
      if (!word(x, i, 8)) return too_many ? std::optional(false) : std::nullopt;
    }
    if (i < n) {
      uint64_t x = 0;  // zero-padded: no spaces, tabs or letters
      std::memcpy(&x, line.data() + i, n - i);
      if (!word(x, i, n - i)) {
        return too_many ? std::optional(false) : std::nullopt;
      }
    }
    size_ = n;
    words_ = spaces + 1;
    return words_ <= max_words;
  }

  // Per byte: 1 for the spaces collapsed (' ', '\t'); the key's byte
  // (ASCII lower-cased, '\t' as ' ').
  static constexpr auto kSpace = [] {
    std::array<unsigned char, 256> t{};
    t[' '] = t['\t'] = 1;
    return t;
  }();
  static constexpr auto kLower = [] {
    std::array<char, 256> t{};
    for (int c = 0; c < 256; ++c) {
      t[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    t['\t'] = ' ';
    return t;
  }();

  std::string key_, folded_;
  size_t size_ = 0;
  int words_ = 0;
};

}  // namespace storycluster

#endif  // STORYCLUSTER_LIB_2_TEXT_LINE_KEY_H_
