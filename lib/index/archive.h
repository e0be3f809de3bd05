// Internal: copies against the whole archive (index.cc). Every stored
// article keeps its MinHash signature (table `signatures`) and its LSH band
// keys (table `copy_bands`, in blocks); an add finds the copies of its new
// articles among archive articles outside its hot window by scanning the
// band keys against the batch's, and verifying the candidates' signatures.
#ifndef STORYCLUSTER_LIB_INDEX_ARCHIVE_H_
#define STORYCLUSTER_LIB_INDEX_ARCHIVE_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "lib/index/sqlite.h"
#include "storycluster/copies.h"
#include "storycluster/features.h"

namespace storycluster::index_internal {

// How the index's signatures and band keys are made. Fixed when the index
// is created (kept in meta), so that stored signatures stay comparable
// when later adds run with other options.
struct ArchiveFormat {
  SignatureFormat signature;
  uint32_t bands = 0, rows = 0;
  uint64_t lsh_seed = 0;
};

// The format `copies` gives: its MinHash, and the LSH bands its own
// candidate search uses.
ArchiveFormat ArchiveFormatFor(const CopyOptions& copies);

// One article's entry: signature, band keys and shingle count.
struct ArchiveEntry {
  std::vector<uint32_t> signature;
  std::vector<uint32_t> bands;
  uint32_t shingles = 0;
};

class ArchiveSigner {
 public:
  static absl::StatusOr<ArchiveSigner> Create(const ArchiveFormat& format);
  ArchiveEntry Sign(absl::Span<const uint64_t> shingles) const;
  const ArchiveFormat& format() const { return format_; }

 private:
  ArchiveFormat format_;
  std::shared_ptr<const MinHasher> hasher_;
  std::shared_ptr<const LshIndex> lsh_;  // for its band keys
};

// Stores entries: each article's signature (a row of `signatures`), and
// the band keys of all articles written by one writer as one block (a row
// of `copy_bands`), so that the scan reads a few large rows instead of one
// per article.
class EntryWriter {
 public:
  static absl::StatusOr<EntryWriter> Prepare(sqlite3* db);
  absl::Status Write(int64_t row, const ArchiveEntry& entry);
  // Writes the block of band keys (nothing when no entry was written).
  absl::Status Finish();

 private:
  EntryWriter(sqlite::Statement block, sqlite::Statement signature)
      : block_(std::move(block)), signature_(std::move(signature)) {}
  sqlite::Statement block_, signature_;
  std::vector<uint32_t> rows_, shingles_, bands_;
  int64_t first_row_ = 0;
};

// A new article that copies an archive article outside the window.
struct ArchiveMatch {
  size_t query = 0;  // index into the queries
  int64_t row = 0;   // the archive article
  int64_t copy_group = 0, event = 0, story = 0;
  double jaccard = 0;  // estimated from the signatures
};

// For each query, the archive article (not in `exclude`) it is a copy of,
// if any: estimated Jaccard at least copies.threshold, or estimated
// containment of the query in it at least copies.containment with at least
// copies.min_shared_shingles shingles shared (the in-run rules, on
// estimates: lib/index/archive.cc). A query that matches max_sources copy
// groups or more shares a template's wording: no match, as in the run.
// One sequential scan of copy_bands.
absl::StatusOr<std::vector<ArchiveMatch>> FindArchiveCopies(
    sqlite3* db, const ArchiveSigner& signer,
    absl::Span<const ArchiveEntry> queries,
    const absl::flat_hash_set<int64_t>& exclude, const CopyOptions& copies);

}  // namespace storycluster::index_internal

#endif  // STORYCLUSTER_LIB_INDEX_ARCHIVE_H_
