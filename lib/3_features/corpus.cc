// Compact corpus storage: the sharded term dictionary, compressed term rows
// and the shingle store (memory or an unlinked temporary file).
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <future>
#include <mutex>
#include <new>
#include <stdexcept>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "lib/common/xxhash_inline.h"
#include "storycluster/features.h"

namespace storycluster {
namespace {

// Terms are spread over 2^kShardBits independently locked shards; an id is
// (position in its shard << kShardBits) | shard.
constexpr int kShardBits = 6;
constexpr uint32_t kShards = 1u << kShardBits;
constexpr uint64_t kShardSeed = 0x7465726d73686172ULL;  // "termshar"

// Pending shingles are written in pieces of this many values (8 MiB).
constexpr size_t kWriteChunk = size_t{1} << 20;

}  // namespace

struct TermDictionary::Shard {
  std::mutex mu;
  std::deque<std::string> strings;  // stable addresses for the keys below
  absl::flat_hash_map<std::string_view, uint32_t> ids;
};

TermDictionary::TermDictionary() : shards_(new Shard[kShards]) {
  static std::atomic<uint64_t> next_serial{1};
  serial_ = next_serial.fetch_add(1, std::memory_order_relaxed);
}
TermDictionary::~TermDictionary() = default;

uint32_t TermDictionary::Intern(std::string_view term) {
  const uint32_t s = static_cast<uint32_t>(
      XXH3_64bits_withSeed(term.data(), term.size(), kShardSeed) &
      (kShards - 1));
  Shard& shard = shards_[s];
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.ids.find(term);
  if (it != shard.ids.end()) return it->second;
  const uint32_t local = static_cast<uint32_t>(shard.strings.size());
  // 2^26 terms per shard, 2^32 in all: more than any vocabulary.
  const uint32_t id = (local << kShardBits) | s;
  shard.strings.emplace_back(term);
  shard.ids.emplace(shard.strings.back(), id);
  return id;
}

std::string_view TermDictionary::Term(uint32_t id) const {
  return shards_[id & (kShards - 1)].strings[id >> kShardBits];
}

uint32_t TermDictionary::id_bound() const {
  size_t most = 0;
  for (uint32_t s = 0; s < kShards; ++s) {
    most = std::max(most, shards_[s].strings.size());
  }
  return static_cast<uint32_t>(most << kShardBits);
}

size_t TermDictionary::size() const {
  size_t total = 0;
  for (uint32_t s = 0; s < kShards; ++s) total += shards_[s].strings.size();
  return total;
}

void TermLists::Append(absl::Span<const uint32_t> doc_ids,
                       absl::Span<const float> doc_weights) {
  ids.insert(ids.end(), doc_ids.begin(), doc_ids.end());
  weights.insert(weights.end(), doc_weights.begin(), doc_weights.end());
  offsets.push_back(ids.size());
}

void TermLists::Clear() {
  offsets = {0};
  std::vector<uint32_t>().swap(ids);
  std::vector<float>().swap(weights);
}

struct ShingleStore::Rep {
  std::vector<uint64_t> memory;   // when not in a file
  std::vector<uint64_t> pending;  // appended, not yet written
  // Once spilled: the small sets also kept in memory (InTemporaryFile), and
  // per document its offset among them, or kNotSmall.
  static constexpr uint32_t kNotSmall = ~uint32_t{0};
  std::vector<uint64_t> small;
  std::vector<uint32_t> small_at;
  uint64_t written = 0;  // shingles in the file
  int fd = -1;
  bool spilled = false;     // the sets are in the file
  size_t memory_limit = 0;  // bytes kept in memory before spilling
  std::string path;         // for messages
  // A full buffer is written on another thread while appending goes on.
  std::vector<uint64_t> writing;  // being written
  std::future<absl::Status> write;
  absl::Status write_status;  // the first failed write's

  absl::Status Write(const std::vector<uint64_t>& values) const {
    const char* data = reinterpret_cast<const char*>(values.data());
    size_t left = values.size() * sizeof(uint64_t);
    while (left > 0) {
      const ssize_t n = ::write(fd, data, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        return absl::UnavailableError(
            absl::StrCat("cannot write the temporary file ", path, ": ",
                         n < 0 ? std::strerror(errno) : "no space"));
      }
      data += n;
      left -= static_cast<size_t>(n);
    }
    return absl::OkStatus();
  }
  // Waits for `write`, if any.
  absl::Status FinishWrite() {
    if (!write.valid()) return write_status;
    absl::Status s = write.get();
    if (s.ok()) {
      written += writing.size();
    } else if (write_status.ok()) {
      write_status = std::move(s);  // the file is incomplete from here on
    }
    return write_status;
  }
};

ShingleStore::ShingleStore() : rep_(std::make_unique<Rep>()) {}

ShingleStore::~ShingleStore() {
  rep_->FinishWrite().IgnoreError();
  if (rep_->fd >= 0) ::close(rep_->fd);
}

bool ShingleStore::in_file() const { return rep_->spilled; }

absl::StatusOr<std::unique_ptr<ShingleStore>> ShingleStore::InTemporaryFile(
    const std::string& directory, size_t memory_bytes) {
  std::string path = absl::StrCat(directory.empty() ? "." : directory,
                                  "/storycluster-shingles-XXXXXX");
  const int fd = ::mkstemp(path.data());
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot create a temporary file in ", directory, ": ",
                     std::strerror(errno)));
  }
  ::unlink(path.c_str());  // removed with the last descriptor
  auto store = std::make_unique<ShingleStore>();
  Rep& rep = *store->rep_;
  rep.fd = fd;
  rep.path = std::move(path);
  rep.memory_limit = memory_bytes;
  rep.spilled = memory_bytes == 0;
  // The budget is reserved (address space; pages become resident as they
  // fill), so the sets are never copied to a grown buffer on the way. A
  // budget beyond what the system will map is only not reserved.
  try {
    rep.memory.reserve(memory_bytes / sizeof(uint64_t));
  } catch (const std::bad_alloc&) {
  } catch (const std::length_error&) {
  }
  return store;
}

absl::Status ShingleStore::Append(absl::Span<const uint64_t> shingles) {
  offsets_.push_back(offsets_.back() + shingles.size());
  Rep& rep = *rep_;
  if (!rep.spilled) {
    if (rep.fd < 0 ||
        (rep.memory.size() + shingles.size()) * sizeof(uint64_t) <=
            rep.memory_limit) {
      rep.memory.insert(rep.memory.end(), shingles.begin(), shingles.end());
      return absl::OkStatus();
    }
    // Past the memory budget: the sets so far move to the file (but the
    // small ones), and the memory they took is given back.
    if (auto s = rep.Write(rep.memory); !s.ok()) return s;
    rep.written = rep.memory.size();
    for (size_t d = 0; d + 1 < size(); ++d) {
      KeepIfSmall(absl::MakeConstSpan(rep.memory)
                      .subspan(offsets_[d], offsets_[d + 1] - offsets_[d]));
    }
    std::vector<uint64_t>().swap(rep.memory);
    rep.spilled = true;
  }
  KeepIfSmall(shingles);
  rep.pending.insert(rep.pending.end(), shingles.begin(), shingles.end());
  if (rep.pending.size() < kWriteChunk) return absl::OkStatus();
  // The previous chunk must be in the file first (writes are appends).
  if (auto s = rep.FinishWrite(); !s.ok()) return s;
  rep.writing.swap(rep.pending);
  rep.pending.clear();
  rep.write =
      std::async(std::launch::async, [&rep] { return rep.Write(rep.writing); });
  return absl::OkStatus();
}

void ShingleStore::KeepIfSmall(absl::Span<const uint64_t> set) {
  Rep& rep = *rep_;
  const bool small = !set.empty() && set.size() <= kSmallSet &&
                     rep.small.size() + set.size() <= kSmallShingles;
  rep.small_at.push_back(small ? static_cast<uint32_t>(rep.small.size())
                               : Rep::kNotSmall);
  if (small) rep.small.insert(rep.small.end(), set.begin(), set.end());
}

absl::Status ShingleStore::Flush() {
  Rep& rep = *rep_;
  if (auto s = rep.FinishWrite(); !s.ok()) return s;
  if (!rep.spilled || rep.pending.empty()) return absl::OkStatus();
  if (auto s = rep.Write(rep.pending); !s.ok()) return s;
  rep.written += rep.pending.size();
  rep.pending.clear();
  return absl::OkStatus();
}

absl::StatusOr<absl::Span<const uint64_t>> ShingleStore::Get(
    size_t d, std::vector<uint64_t>* buffer) const {
  const Rep& rep = *rep_;
  if (d < rep.small_at.size() && rep.small_at[d] != Rep::kNotSmall) {
    return absl::MakeConstSpan(rep.small).subspan(rep.small_at[d], count(d));
  }
  return GetRange(d, d + 1, buffer);
}

absl::StatusOr<absl::Span<const uint64_t>> ShingleStore::GetRange(
    size_t first, size_t last, std::vector<uint64_t>* buffer) const {
  const Rep& rep = *rep_;
  const uint64_t begin = offsets_[first];
  const size_t n = offsets_[last] - begin;
  if (!rep.spilled) return absl::MakeConstSpan(rep.memory).subspan(begin, n);
  if (offsets_[last] > rep.written) {
    return absl::FailedPreconditionError("ShingleStore::Get before Flush");
  }
  buffer->resize(n);
  char* data = reinterpret_cast<char*>(buffer->data());
  size_t left = n * sizeof(uint64_t);
  off_t at = static_cast<off_t>(begin * sizeof(uint64_t));
  while (left > 0) {
    const ssize_t got = ::pread(rep.fd, data, left, at);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      return absl::DataLossError(
          absl::StrCat("cannot read the temporary file ", rep.path, ": ",
                       got < 0 ? std::strerror(errno) : "short file"));
    }
    data += got;
    at += got;
    left -= static_cast<size_t>(got);
  }
  return absl::MakeConstSpan(*buffer);
}

namespace {

// `features`' terms as ids of `terms` and its entities as ids of
// `entities`, with their weights, in order.
void InternTerms(const ArticleFeatures& features, TermDictionary& terms,
                 TermDictionary& entities, InternedTerms* out) {
  out->term_ids.clear();
  out->term_weights.clear();
  out->entity_ids.clear();
  out->entity_weights.clear();
  for (const WeightedTerm& t : features.terms) {
    out->term_ids.push_back(terms.Intern(t.term));
    out->term_weights.push_back(t.weight);
  }
  for (const WeightedTerm& t : features.entities) {
    out->entity_ids.push_back(entities.Intern(t.term));
    out->entity_weights.push_back(t.weight);
  }
}

}  // namespace

absl::Status CorpusFeatures::Append(absl::Span<const uint64_t> shingle_set,
                                    const InternedTerms& interned) {
  terms.Append(interned.term_ids, interned.term_weights);
  entities.Append(interned.entity_ids, interned.entity_weights);
  return shingles->Append(shingle_set);
}

absl::Status CorpusFeatures::Append(const ArticleFeatures& features) {
  InternedTerms interned;
  InternTerms(features, *term_dictionary, *entity_dictionary, &interned);
  return Append(features.shingles, interned);
}

}  // namespace storycluster
