// Copies against the whole archive (archive.h).
//
// The scan goes the other way round from a persistent LSH: the batch's
// band keys are put in a small in-memory table and every stored article's
// keys are looked up in it. Memory stays that of the batch,
// nothing archive-sized is rebuilt on open, and a write appends one block
// of keys and one signature row per article (a persistent bucket table
// would take random inserts all over its B-tree with every batch). The
// price is one sequential read of the band keys per add (docs/index.md
// gives it at 1,000,000 articles).
#include "lib/index/archive.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "lib/index/sqlite.h"
#include "storycluster/status.h"

namespace storycluster::index_internal {

using sqlite::Statement;

ArchiveFormat ArchiveFormatFor(const CopyOptions& copies) {
  ArchiveFormat f;
  f.signature.num_hashes = copies.minhash.num_hashes;
  f.signature.seed = copies.minhash.seed;
  const LshOptions lsh = LshOptions::ForThreshold(
      copies.threshold - copies.candidate_margin, copies.minhash.num_hashes);
  f.bands = lsh.bands;
  f.rows = lsh.rows;
  f.lsh_seed = lsh.seed;
  return f;
}

absl::StatusOr<ArchiveSigner> ArchiveSigner::Create(
    const ArchiveFormat& format) {
  if (format.signature.version != kSignatureFormatVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("the index's signatures are of format version ",
                     format.signature.version, "; this storycluster makes ",
                     kSignatureFormatVersion));
  }
  ArchiveSigner s;
  s.format_ = format;
  STORYCLUSTER_ASSIGN_OR_RETURN(
      s.hasher_,
      MinHasher::Create({format.signature.num_hashes, format.signature.seed}));
  LshOptions lsh;
  lsh.bands = format.bands;
  lsh.rows = format.rows;
  lsh.seed = format.lsh_seed;
  STORYCLUSTER_ASSIGN_OR_RETURN(
      s.lsh_, LshIndex::Create(lsh, format.signature.num_hashes));
  return s;
}

ArchiveEntry ArchiveSigner::Sign(absl::Span<const uint64_t> shingles) const {
  ArchiveEntry e;
  e.signature = hasher_->Sign(shingles);
  std::vector<uint64_t> keys(format_.bands);
  lsh_->BandKeys(e.signature, absl::MakeSpan(keys));
  // The LshIndex compares 32 bits of a key: those are the ones kept.
  e.bands.assign(keys.begin(), keys.end());
  e.shingles = static_cast<uint32_t>(shingles.size());
  return e;
}

absl::StatusOr<EntryWriter> EntryWriter::Prepare(sqlite3* db) {
  STORYCLUSTER_ASSIGN_OR_RETURN(
      auto block,
      Statement::Prepare(db, "INSERT INTO copy_bands VALUES(?, ?, ?, ?)"));
  STORYCLUSTER_ASSIGN_OR_RETURN(
      auto signature,
      Statement::Prepare(db, "INSERT INTO signatures VALUES(?, ?, ?)"));
  return EntryWriter(std::move(block), std::move(signature));
}

absl::Status EntryWriter::Write(int64_t row, const ArchiveEntry& entry) {
  if (row < 1 || row > int64_t{0xffffffff}) {
    return absl::OutOfRangeError(
        absl::StrCat("article row ", row, " does not fit the band-key blocks"));
  }
  if (rows_.empty()) first_row_ = row;
  rows_.push_back(static_cast<uint32_t>(row));
  shingles_.push_back(entry.shingles);
  bands_.insert(bands_.end(), entry.bands.begin(), entry.bands.end());
  signature_.Bind(1, row);
  signature_.Bind(2, static_cast<int64_t>(entry.shingles));
  signature_.BindWords(3, entry.signature);
  return signature_.Run();
}

absl::Status EntryWriter::Finish() {
  if (rows_.empty()) return absl::OkStatus();
  block_.Bind(1, first_row_);
  block_.BindWords(2, rows_);
  block_.BindWords(3, shingles_);
  block_.BindWords(4, bands_);
  rows_.clear();
  shingles_.clear();
  bands_.clear();
  return block_.Run();
}

namespace {

// How many standard deviations below the signature agreement the Jaccard
// estimate is taken: fewer let template instances join each other, more
// lose edited copies (docs/index.md has the sweep).
constexpr double kEstimateDeviations = 1.5;

// The in-run copy rule (CopyOptions) on estimates from two signatures:
// agreement estimates Jaccard J, and J (|A| + |B|) / (1 + J) the shared
// shingles, from which the containment of A (the new article) in B.
bool IsCopy(double jaccard, uint32_t query_shingles, uint32_t row_shingles,
            const CopyOptions& copies) {
  const double shared =
      jaccard * (query_shingles + row_shingles) / (1.0 + jaccard);
  if (copies.containment > 0 && shared >= copies.min_shared_shingles) {
    return shared / query_shingles >= copies.containment;
  }
  return jaccard >= copies.threshold;
}

}  // namespace

absl::StatusOr<std::vector<ArchiveMatch>> FindArchiveCopies(
    sqlite3* db, const ArchiveSigner& signer,
    absl::Span<const ArchiveEntry> queries,
    const absl::flat_hash_set<int64_t>& exclude, const CopyOptions& copies) {
  std::vector<ArchiveMatch> matches;
  const ArchiveFormat& f = signer.format();
  // Band key (band number in the high half) -> the queries that have it.
  absl::flat_hash_map<uint64_t, std::vector<uint32_t>> buckets;
  for (size_t q = 0; q < queries.size(); ++q) {
    // An empty text's signature equals every other empty one's.
    if (queries[q].shingles == 0 || queries[q].bands.size() != f.bands) {
      continue;
    }
    for (uint32_t b = 0; b < f.bands; ++b) {
      buckets[uint64_t{b} << 32 | queries[q].bands[b]].push_back(
          static_cast<uint32_t>(q));
    }
  }
  if (buckets.empty()) return matches;
  // Nearly every stored key is in no bucket: a bit per hashed key (2^24
  // bits, 2 MB, in cache) answers most lookups without touching the map.
  constexpr int kFilterBits = 24;
  std::vector<uint64_t> filter(size_t{1} << (kFilterBits - 6), 0);
  auto slot = [](uint64_t key) {
    return static_cast<size_t>((key * 0x9e3779b97f4a7c15ULL) >>
                               (64 - kFilterBits));
  };
  for (const auto& [key, list] : buckets) {
    const size_t at = slot(key);
    filter[at >> 6] |= uint64_t{1} << (at & 63);
  }

  // Per query, the stored articles sharing the most bands with it: the
  // likeliest sources. Template wording shares bands with thousands of
  // articles; verifying a few per query keeps an add's work bounded by
  // its batch, and as many as the template rule needs to see.
  const size_t keep = std::max<size_t>(8, 2 * size_t{copies.max_sources});
  struct Candidate {
    uint32_t bands;
    uint32_t row;
  };
  std::vector<std::vector<Candidate>> best(queries.size());
  std::vector<uint32_t> shared(queries.size(), 0);
  // Stored articles sharing two bands or more with each query: a template's
  // instance has hundreds, a story's copy its source and the source's
  // other copies.
  std::vector<uint32_t> neighbours(queries.size(), 0);
  std::vector<uint32_t> touched;
  {
    STORYCLUSTER_ASSIGN_OR_RETURN(
        auto scan,
        Statement::Prepare(db, "SELECT rows, shingles, bands FROM copy_bands"));
    for (;;) {
      STORYCLUSTER_ASSIGN_OR_RETURN(const bool more, scan.Step());
      if (!more) break;
      const std::vector<uint32_t> rows = scan.Words(0);
      const std::vector<uint32_t> shingles = scan.Words(1);
      const std::vector<uint32_t> bands = scan.Words(2);
      if (shingles.size() != rows.size() ||
          bands.size() != rows.size() * f.bands) {
        return absl::DataLossError(
            absl::StrCat("a copy_bands block (", rows.size(), " rows) has ",
                         shingles.size(), " shingle counts and ", bands.size(),
                         " band keys; expected ", f.bands, " keys a row"));
      }
      for (size_t i = 0; i < rows.size(); ++i) {
        if (shingles[i] == 0 || exclude.contains(rows[i])) continue;
        touched.clear();
        for (uint32_t b = 0; b < f.bands; ++b) {
          const uint64_t key = uint64_t{b} << 32 | bands[i * f.bands + b];
          const size_t at = slot(key);
          if ((filter[at >> 6] >> (at & 63) & 1) == 0) continue;
          const auto it = buckets.find(key);
          if (it == buckets.end()) continue;
          for (uint32_t q : it->second) {
            if (shared[q]++ == 0) touched.push_back(q);
          }
        }
        for (uint32_t q : touched) {
          std::vector<Candidate>& list = best[q];
          const Candidate c{shared[q], rows[i]};
          shared[q] = 0;
          if (c.bands >= 2) ++neighbours[q];
          if (list.size() < keep) {
            list.push_back(c);
            continue;
          }
          // Replace the weakest (fewest bands); among equals the earlier
          // found stays.
          auto weakest =
              std::min_element(list.begin(), list.end(),
                               [](const Candidate& x, const Candidate& y) {
                                 return x.bands < y.bands;
                               });
          if (c.bands > weakest->bands) *weakest = c;
        }
      }
    }
  }
  std::vector<std::pair<uint32_t, int64_t>> candidates;
  for (uint32_t q = 0; q < best.size(); ++q) {
    for (const Candidate& c : best[q]) candidates.emplace_back(q, c.row);
  }
  if (candidates.empty()) return matches;

  // Verified on the signatures; per query, the copy groups it copies.
  STORYCLUSTER_ASSIGN_OR_RETURN(
      auto fetch,
      Statement::Prepare(
          db,
          "SELECT s.minhash, s.shingles, a.copy_group, a.event, a.story "
          "FROM signatures s JOIN articles a ON a.row = s.row "
          "WHERE s.row = ?"));
  absl::flat_hash_map<uint32_t, std::vector<ArchiveMatch>> verified;
  for (const auto& [q, row] : candidates) {
    fetch.Bind(1, row);
    STORYCLUSTER_ASSIGN_OR_RETURN(const bool found, fetch.Step());
    if (found) {
      const std::vector<uint32_t> stored = fetch.Words(0);
      const ArchiveEntry& query = queries[q];
      if (stored.size() == query.signature.size()) {
        size_t equal = 0;
        for (size_t i = 0; i < stored.size(); ++i) {
          equal += stored[i] == query.signature[i];
        }
        // The estimate's lower bound: agreement of k values has standard
        // deviation sqrt(J (1 - J) / k), and the candidates kept are those
        // that agree most, of many when wording is shared widely; the
        // bound keeps a template's instances (exact Jaccard just under
        // the rule) from passing on a lucky sample.
        const double k = static_cast<double>(stored.size());
        const double estimate = static_cast<double>(equal) / k;
        const double jaccard = std::max(
            0.0, estimate - kEstimateDeviations *
                                std::sqrt(estimate * (1 - estimate) / k));
        // Wording as common as a template's: only a reprint of it is a
        // copy (CopyOptions::distinct_reprint), as in the run. The template
        // rule of max_sources alone does not see it once earlier instances
        // share one group.
        const bool common = copies.common_articles > 0 &&
                            neighbours[q] > copies.common_articles;
        if (common ? jaccard >= copies.distinct_reprint
                   : IsCopy(jaccard, query.shingles,
                            static_cast<uint32_t>(fetch.Int(1)), copies)) {
          verified[q].push_back(
              {q, row, fetch.Int(2), fetch.Int(3), fetch.Int(4), jaccard});
        }
      }
    }
    fetch.Reset();
  }
  for (auto& [q, found] : verified) {
    absl::flat_hash_set<int64_t> groups;
    for (const ArchiveMatch& m : found) groups.insert(m.copy_group);
    if (copies.max_sources > 0 && groups.size() >= copies.max_sources) continue;
    // The closest source; the earliest stored on a tie.
    matches.push_back(
        *std::min_element(found.begin(), found.end(),
                          [](const ArchiveMatch& a, const ArchiveMatch& b) {
                            if (a.jaccard != b.jaccard)
                              return a.jaccard > b.jaccard;
                            return a.row < b.row;
                          }));
  }
  std::sort(matches.begin(), matches.end(),
            [](const ArchiveMatch& a, const ArchiveMatch& b) {
              return a.query < b.query;
            });
  return matches;
}

}  // namespace storycluster::index_internal
