// Banded LSH: parameter choice by integrating the S-curve, and the index.
#include "storycluster/lsh.h"

#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "lib/common/parallel.h"

namespace storycluster {
namespace {

double Probability(double s, uint32_t bands, uint32_t rows) {
  return 1.0 - std::pow(1.0 - std::pow(s, rows), bands);
}

// Midpoint rule; the integrands are smooth, 1000 steps are ample.
template <typename F>
double Integrate(F f, double a, double b) {
  constexpr int kSteps = 1000;
  const double h = (b - a) / kSteps;
  double sum = 0;
  for (int i = 0; i < kSteps; ++i) sum += f(a + (i + 0.5) * h);
  return sum * h;
}

}  // namespace

double LshOptions::CandidateProbability(double jaccard) const {
  return Probability(jaccard, bands, rows);
}

LshOptions LshOptions::ForThreshold(double threshold, uint32_t num_hashes,
                                    double fp_weight, double fn_weight) {
  LshOptions best;
  double best_error = std::numeric_limits<double>::infinity();
  for (uint32_t bands = 1; bands <= num_hashes; ++bands) {
    const uint32_t max_rows = num_hashes / bands;
    for (uint32_t rows = 1; rows <= max_rows; ++rows) {
      const double fp =
          Integrate([&](double s) { return Probability(s, bands, rows); }, 0.0,
                    threshold);
      const double fn =
          Integrate([&](double s) { return 1.0 - Probability(s, bands, rows); },
                    threshold, 1.0);
      const double error = fp_weight * fp + fn_weight * fn;
      if (error < best_error) {
        best_error = error;
        best.bands = bands;
        best.rows = rows;
      }
    }
  }
  return best;
}

struct LshIndex::Rep {
  LshOptions options;
  uint32_t num_hashes = 0;
  size_t size = 0;
  std::vector<absl::flat_hash_map<uint64_t, std::vector<uint32_t>>> tables;

  uint64_t Key(absl::Span<const uint32_t> sig, uint32_t band) const {
    return XXH3_64bits_withSeed(sig.data() + band * options.rows,
                                options.rows * sizeof(uint32_t),
                                options.seed + band);
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
  rep->tables.resize(options.bands);
  return std::unique_ptr<LshIndex>(new LshIndex(std::move(rep)));
}

void LshIndex::Insert(uint32_t id, absl::Span<const uint32_t> signature) {
  for (uint32_t b = 0; b < rep_->options.bands; ++b) {
    rep_->tables[b][rep_->Key(signature, b)].push_back(id);
  }
  ++rep_->size;
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

void LshIndex::QueryKeys(absl::Span<const uint64_t> keys,
                         std::vector<uint32_t>* out) const {
  out->clear();
  for (uint32_t b = 0; b < rep_->options.bands; ++b) {
    auto it = rep_->tables[b].find(keys[b]);
    if (it != rep_->tables[b].end()) {
      out->insert(out->end(), it->second.begin(), it->second.end());
    }
  }
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
}

void LshIndex::InsertBatch(absl::Span<const uint32_t> ids,
                           absl::Span<const uint64_t> keys, int threads) {
  const uint32_t bands = rep_->options.bands;
  ParallelFor(bands, threads, 1, [&](size_t begin, size_t end, int) {
    for (size_t b = begin; b < end; ++b) {
      auto& table = rep_->tables[b];
      for (size_t i = 0; i < ids.size(); ++i) {
        table[keys[i * bands + b]].push_back(ids[i]);
      }
    }
  });
  rep_->size += ids.size();
}

uint32_t LshIndex::bands() const { return rep_->options.bands; }

size_t LshIndex::size() const { return rep_->size; }

}  // namespace storycluster
