// Compact corpus storage: the sharded term dictionary, compressed term rows
// and the shingle store (memory or an unlinked temporary file).
#include "storycluster/corpus.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <mutex>
#include <new>
#include <stdexcept>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "lib/common/xxhash_inline.h"

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

ShingleStore::ShingleStore() = default;

ShingleStore::~ShingleStore() {
  FinishWrite().IgnoreError();
  if (fd_ >= 0) ::close(fd_);
}

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
  store->fd_ = fd;
  store->path_ = std::move(path);
  store->memory_limit_ = memory_bytes;
  store->spilled_ = memory_bytes == 0;
  // The budget is reserved (address space; pages become resident as they
  // fill), so the sets are never copied to a grown buffer on the way. A
  // budget beyond what the system will map is only not reserved.
  try {
    store->memory_.reserve(memory_bytes / sizeof(uint64_t));
  } catch (const std::bad_alloc&) {
  } catch (const std::length_error&) {
  }
  return store;
}

absl::Status ShingleStore::Append(absl::Span<const uint64_t> shingles) {
  offsets_.push_back(offsets_.back() + shingles.size());
  if (!spilled_) {
    if (fd_ < 0 || (memory_.size() + shingles.size()) * sizeof(uint64_t) <=
                       memory_limit_) {
      memory_.insert(memory_.end(), shingles.begin(), shingles.end());
      return absl::OkStatus();
    }
    // Past the memory budget: the sets so far move to the file, and the
    // memory they took is given back.
    if (auto s = Write(memory_); !s.ok()) return s;
    written_ = memory_.size();
    std::vector<uint64_t>().swap(memory_);
    spilled_ = true;
  }
  pending_.insert(pending_.end(), shingles.begin(), shingles.end());
  if (pending_.size() < kWriteChunk) return absl::OkStatus();
  // The previous chunk must be in the file first (writes are appends).
  if (auto s = FinishWrite(); !s.ok()) return s;
  writing_.swap(pending_);
  pending_.clear();
  write_ = std::async(std::launch::async, [this] { return Write(writing_); });
  return absl::OkStatus();
}

absl::Status ShingleStore::FinishWrite() {
  if (!write_.valid()) return write_status_;
  absl::Status s = write_.get();
  if (s.ok()) {
    written_ += writing_.size();
  } else if (write_status_.ok()) {
    write_status_ = std::move(s);  // the file is incomplete from here on
  }
  return write_status_;
}

absl::Status ShingleStore::Write(const std::vector<uint64_t>& values) const {
  const char* data = reinterpret_cast<const char*>(values.data());
  size_t left = values.size() * sizeof(uint64_t);
  while (left > 0) {
    const ssize_t n = ::write(fd_, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return absl::UnavailableError(
          absl::StrCat("cannot write the temporary file ", path_, ": ",
                       n < 0 ? std::strerror(errno) : "no space"));
    }
    data += n;
    left -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::Status ShingleStore::Flush() {
  if (auto s = FinishWrite(); !s.ok()) return s;
  if (!spilled_ || pending_.empty()) return absl::OkStatus();
  if (auto s = Write(pending_); !s.ok()) return s;
  written_ += pending_.size();
  pending_.clear();
  return absl::OkStatus();
}

absl::StatusOr<absl::Span<const uint64_t>> ShingleStore::Get(
    size_t d, std::vector<uint64_t>* buffer) const {
  const uint64_t begin = offsets_[d];
  const size_t n = count(d);
  if (!spilled_) return absl::MakeConstSpan(memory_).subspan(begin, n);
  if (offsets_[d + 1] > written_) {
    return absl::FailedPreconditionError("ShingleStore::Get before Flush");
  }
  buffer->resize(n);
  char* data = reinterpret_cast<char*>(buffer->data());
  size_t left = n * sizeof(uint64_t);
  off_t at = static_cast<off_t>(begin * sizeof(uint64_t));
  while (left > 0) {
    const ssize_t got = ::pread(fd_, data, left, at);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      return absl::DataLossError(
          absl::StrCat("cannot read the temporary file ", path_, ": ",
                       got < 0 ? std::strerror(errno) : "short file"));
    }
    data += got;
    at += got;
    left -= static_cast<size_t>(got);
  }
  return absl::MakeConstSpan(*buffer);
}

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

absl::Status AppendDocument(absl::Span<const uint64_t> shingles,
                            const InternedTerms& terms,
                            CorpusFeatures* corpus) {
  corpus->terms.Append(terms.term_ids, terms.term_weights);
  corpus->entities.Append(terms.entity_ids, terms.entity_weights);
  return corpus->shingles->Append(shingles);
}

}  // namespace storycluster
