// Banded LSH: parameter choice by integrating the S-curve, and the index.
#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "lib/common/parallel.h"
#include "lib/common/xxhash_inline.h"
#include "storycluster/copies.h"

namespace storycluster {
namespace {

double Probability(double s, uint32_t bands, uint32_t rows) {
  return 1.0 - std::pow(1.0 - std::pow(s, rows), bands);
}

}  // namespace

double LshOptions::CandidateProbability(double jaccard) const {
  return Probability(jaccard, bands, rows);
}

namespace {

// ForThreshold's search, unmemoised. Both integrals by the midpoint rule
// over 1000 steps (the integrands are smooth: ample), each term
// Probability's expression; s^rows, which every band count shares, is
// computed once per grid point and row count.
LshOptions SearchBandsRows(double threshold, uint32_t num_hashes,
                           double fp_weight, double fn_weight) {
  constexpr int kSteps = 1000;
  const double fp_h = (threshold - 0.0) / kSteps;
  const double fn_h = (1.0 - threshold) / kSteps;
  // error[rows][bands - 1], filled row count by row count.
  std::vector<std::vector<double>> error(num_hashes + 1);
  std::vector<double> fp_power(kSteps), fn_power(kSteps);
  for (uint32_t rows = 1; rows <= num_hashes; ++rows) {
    for (int i = 0; i < kSteps; ++i) {
      fp_power[i] = std::pow(0.0 + (i + 0.5) * fp_h, rows);
      fn_power[i] = std::pow(threshold + (i + 0.5) * fn_h, rows);
    }
    const uint32_t max_bands = num_hashes / rows;
    error[rows].resize(max_bands);
    for (uint32_t bands = 1; bands <= max_bands; ++bands) {
      double fp = 0, fn = 0;
      for (int i = 0; i < kSteps; ++i) {
        fp += 1.0 - std::pow(1.0 - fp_power[i], bands);
      }
      for (int i = 0; i < kSteps; ++i) {
        fn += 1.0 - (1.0 - std::pow(1.0 - fn_power[i], bands));
      }
      error[rows][bands - 1] =
          fp_weight * (fp * fp_h) + fn_weight * (fn * fn_h);
    }
  }
  // The first minimum in the original order: bands, then rows.
  LshOptions best;
  double best_error = std::numeric_limits<double>::infinity();
  for (uint32_t bands = 1; bands <= num_hashes; ++bands) {
    for (uint32_t rows = 1; rows <= num_hashes / bands; ++rows) {
      if (error[rows][bands - 1] < best_error) {
        best_error = error[rows][bands - 1];
        best.bands = bands;
        best.rows = rows;
      }
    }
  }
  return best;
}

}  // namespace

LshOptions LshOptions::ForThreshold(double threshold, uint32_t num_hashes,
                                    double fp_weight, double fn_weight) {
  // The search takes ~2.8 million pow() calls for 128 hashes: tens of
  // milliseconds, which a service that finds copies batch after batch
  // would pay on every batch. Results are kept for the process's life
  // (there are few distinct arguments in practice).
  using Key = std::tuple<double, uint32_t, double, double>;
  static std::mutex mu;
  static auto* const memo = new absl::flat_hash_map<Key, LshOptions>();
  const Key key{threshold, num_hashes, fp_weight, fn_weight};
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = memo->find(key); it != memo->end()) return it->second;
  }
  const LshOptions best =
      SearchBandsRows(threshold, num_hashes, fp_weight, fn_weight);
  std::lock_guard<std::mutex> lock(mu);
  memo->emplace(key, best);
  return best;
}

// Per band, a hash table from the band key (its low 32 bits) to its
// bucket. A bucket of one document holds that document's id in the table
// slot (8 bytes per band and document); a bucket that has met a second
// document holds, with the high bit set, the index of its id list, in
// insertion order. A query lists a bucket's latest ids, from one
// contiguous list, with no chain of dependent loads, and the lists cost 4
// bytes per id only in shared buckets. Two keys that differ only in their
// high bits share a bucket; such a spurious candidate is dropped by the
// caller's signature check.
struct LshIndex::Rep {
  // Set in a slot holding a list index; ids stay below it.
  static constexpr uint32_t kList = LshIndex::kMaxId + 1;

  // One band's table and lists, on cache lines of their own: the bands
  // are filled by different threads, and every insertion writes the
  // table's and the lists' sizes (neighbouring bands sharing a line made
  // it bounce between the cores).
  struct alignas(64) Band {
    absl::flat_hash_map<uint32_t, uint32_t> head;
    std::vector<std::vector<uint32_t>> lists;
  };

  LshOptions options;
  uint32_t num_hashes = 0;
  size_t size = 0;  // documents inserted
  std::vector<Band> bands;

  uint64_t Key(absl::Span<const uint32_t> sig, uint32_t band) const {
    return XXH3_64bits_withSeed(sig.data() + band * options.rows,
                                options.rows * sizeof(uint32_t),
                                options.seed + band);
  }
  // Adds document `id` to band `b`'s bucket of `key`.
  void Link(uint32_t b, uint64_t key, uint32_t id) {
    Band& band = bands[b];
    auto [it, fresh] = band.head.try_emplace(static_cast<uint32_t>(key), id);
    if (fresh) return;
    if ((it->second & kList) != 0) {
      band.lists[it->second & ~kList].push_back(id);
      return;
    }
    const auto list = static_cast<uint32_t>(band.lists.size());
    band.lists.push_back({it->second, id});
    it->second = kList | list;
  }
};

LshIndex::LshIndex(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
LshIndex::~LshIndex() = default;

absl::StatusOr<std::unique_ptr<LshIndex>> LshIndex::Create(
    const LshOptions& options, uint32_t num_hashes) {
  if (options.bands == 0 || options.rows == 0 ||
      static_cast<uint64_t>(options.bands) * options.rows > num_hashes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "LSH needs 1 <= bands * rows <= num_hashes; got ", options.bands, " x ",
        options.rows, " for ", num_hashes, " hashes"));
  }
  auto rep = std::make_unique<Rep>();
  rep->options = options;
  rep->num_hashes = num_hashes;
  rep->bands.resize(options.bands);
  return std::unique_ptr<LshIndex>(new LshIndex(std::move(rep)));
}

void LshIndex::Insert(uint32_t id, absl::Span<const uint32_t> signature) {
  ++rep_->size;
  for (uint32_t b = 0; b < rep_->options.bands; ++b) {
    rep_->Link(b, rep_->Key(signature, b), id);
  }
}

void LshIndex::Query(absl::Span<const uint32_t> signature,
                     std::vector<uint32_t>* out) const {
  std::vector<uint64_t> keys(rep_->options.bands);
  BandKeys(signature, absl::MakeSpan(keys));
  QueryKeys(keys, out);
}

void LshIndex::BandKeys(absl::Span<const uint32_t> signature,
                        absl::Span<uint64_t> keys) const {
  for (uint32_t b = 0; b < rep_->options.bands; ++b) {
    keys[b] = rep_->Key(signature, b);
  }
}

void LshIndex::PrefetchKeys(absl::Span<const uint64_t> keys) const {
  for (uint32_t b = 0; b < rep_->options.bands; ++b) {
    rep_->bands[b].head.prefetch(static_cast<uint32_t>(keys[b]));
  }
}

void LshIndex::QueryKeys(absl::Span<const uint64_t> keys,
                         std::vector<uint32_t>* out) const {
  out->clear();
  const uint32_t limit = rep_->options.max_per_bucket == 0
                             ? std::numeric_limits<uint32_t>::max()
                             : rep_->options.max_per_bucket;
  for (uint32_t b = 0; b < rep_->options.bands; ++b) {
    const Rep::Band& band = rep_->bands[b];
    auto it = band.head.find(static_cast<uint32_t>(keys[b]));
    if (it == band.head.end()) continue;
    if ((it->second & Rep::kList) == 0) {
      out->push_back(it->second);
      continue;
    }
    const std::vector<uint32_t>& list = band.lists[it->second & ~Rep::kList];
    const size_t from = list.size() > limit ? list.size() - limit : 0;
    out->insert(out->end(), list.begin() + static_cast<ptrdiff_t>(from),
                list.end());
  }
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
}

void LshIndex::InsertBatch(absl::Span<const uint32_t> ids,
                           absl::Span<const uint64_t> keys, int threads) {
  const uint32_t bands = rep_->options.bands;
  rep_->size += ids.size();
  ParallelFor(bands, threads, 1, [&](size_t begin, size_t end, int) {
    for (size_t b = begin; b < end; ++b) {
      // The tables outgrow the cache on large corpora: each insertion's
      // slot is prefetched a few insertions ahead.
      constexpr size_t kAhead = 8;
      auto& head = rep_->bands[b].head;
      for (size_t i = 0; i < ids.size(); ++i) {
        if (i + kAhead < ids.size()) {
          head.prefetch(static_cast<uint32_t>(keys[(i + kAhead) * bands + b]));
        }
        rep_->Link(static_cast<uint32_t>(b), keys[i * bands + b], ids[i]);
      }
    }
  });
}

uint32_t LshIndex::bands() const { return rep_->options.bands; }

size_t LshIndex::size() const { return rep_->size; }

}  // namespace storycluster
