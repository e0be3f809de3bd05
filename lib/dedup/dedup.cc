// Copy groups: MinHash → LSH candidates among earlier originals → batched
// signature agreement (similarity kernel) → exact shingle Jaccard.
#include "storycluster/dedup.h"

#include <algorithm>
#include <cmath>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "lib/common/dense_ids.h"
#include "lib/common/parallel.h"
#include "lib/common/prefetch.h"
#include "lib/common/time_order.h"
#include "storycluster/lsh.h"
#include "storycluster/shingle.h"
#include "storycluster/similarity.h"

namespace storycluster {

namespace {

// Shingle sets in memory, one vector per article.
class VectorSource {
 public:
  explicit VectorSource(absl::Span<const std::vector<uint64_t>* const> sets)
      : sets_(sets) {}
  size_t size() const { return sets_.size(); }
  size_t count(size_t i) const { return sets_[i]->size(); }
  absl::Span<const uint64_t> Get(size_t i, std::vector<uint64_t>*) const {
    return *sets_[i];
  }
  absl::Status status() const { return absl::OkStatus(); }

 private:
  absl::Span<const std::vector<uint64_t>* const> sets_;
};

// Shingle sets in a ShingleStore; the first read error is kept and
// reported after the stage (reads run on several threads).
class StoreSource {
 public:
  explicit StoreSource(const ShingleStore& store) : store_(store) {}
  size_t size() const { return store_.size(); }
  size_t count(size_t i) const { return store_.count(i); }
  absl::Span<const uint64_t> Get(size_t i,
                                 std::vector<uint64_t>* buffer) const {
    auto set = store_.Get(i, buffer);
    if (set.ok()) return *set;
    std::lock_guard<std::mutex> lock(mu_);
    if (status_.ok()) status_ = set.status();
    return {};
  }
  absl::Status status() const {
    std::lock_guard<std::mutex> lock(mu_);
    return status_;
  }

 private:
  const ShingleStore& store_;
  mutable std::mutex mu_;
  mutable absl::Status status_;
};

// The algorithm, over the articles of `source`.
// `made`: the sets' signatures when the caller has them (else empty).
template <typename Source>
absl::StatusOr<CopyGroups> FindCopyGroupsImpl(
    const Source& source, absl::Span<const std::optional<absl::Time>> published,
    const DedupOptions& options, absl::Span<const uint32_t> made = {}) {
  const size_t n = source.size();
  if (n != published.size()) {
    return absl::InvalidArgumentError("shingles and times differ in size");
  }
  if (n > LshIndex::kMaxId) {
    return absl::InvalidArgumentError(
        absl::StrCat("copy detection takes at most ", LshIndex::kMaxId,
                     " articles at once; got ", n));
  }
  if (!(options.threshold > 0 && options.threshold <= 1) ||
      !(options.candidate_margin >= 0 &&
        options.candidate_margin < options.threshold)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "dedup threshold must be in (0, 1] and candidate_margin in [0, "
        "threshold); got ",
        options.threshold, " and ", options.candidate_margin));
  }
  auto hasher = MinHasher::Create(options.minhash);
  if (!hasher.ok()) return hasher.status();
  const uint32_t k = (*hasher)->num_hashes();
  LshOptions lsh_options =
      LshOptions::ForThreshold(options.threshold - options.candidate_margin, k);
  lsh_options.max_per_bucket = options.max_bucket_candidates;
  auto index = LshIndex::Create(lsh_options, k);
  if (!index.ok()) return index.status();

  // Signatures in one flat, row-major matrix (n x k), computed on the
  // workers. Band keys are hashed per block below, when they are needed.
  const uint32_t bands = (*index)->bands();
  // Beside them, each value's low byte (a sketch, n x k bytes): candidates
  // are compared on sketches first, a quarter of the memory traffic, and
  // on full rows only when the sketch count reaches the bound. A sketch
  // count is never below the full count, so the pairs that pass both are
  // exactly those the full comparison alone would pass.
  if (!made.empty() && made.size() != n * k) {
    return absl::InvalidArgumentError(
        absl::StrCat("signatures: ", made.size(), " values for ", n,
                     " articles of ", k, " hashes"));
  }
  std::vector<uint32_t> signed_here(made.empty() ? n * k : 0);
  const absl::Span<const uint32_t> signatures =
      made.empty() ? absl::MakeConstSpan(signed_here) : made;
  std::vector<uint8_t> sketches(n * k);
  ParallelFor(n, options.threads, 1024, [&](size_t begin, size_t end, int) {
    std::vector<uint64_t> buffer;
    for (size_t i = begin; i < end; ++i) {
      if (made.empty()) {
        (*hasher)->Sign(source.Get(i, &buffer),
                        absl::MakeSpan(signed_here).subspan(i * k, k));
      }
      for (size_t j = 0; j < k; ++j) {
        sketches[i * k + j] = static_cast<uint8_t>(signatures[i * k + j]);
      }
    }
  });
  if (auto status = source.status(); !status.ok()) return status;
  auto row = [&](size_t i) { return signatures.subspan(i * k, k); };
  auto sketch = [&](size_t i) {
    return absl::MakeConstSpan(sketches).subspan(i * k, k);
  };

  CopyGroups out;
  out.original_of.resize(n);
  const uint32_t min_agreement = static_cast<uint32_t>(std::max(
      0.0, std::ceil((options.threshold - options.estimate_slack) * k)));
  // Whether two articles' signatures agree in at least min_agreement
  // positions: sketches first, then the full rows.
  auto agree = [&](uint32_t a, uint32_t b) {
    uint32_t count = 0;
    SketchAgreement(sketch(a), sketch(b), 1, absl::MakeSpan(&count, 1));
    if (count < min_agreement) return false;
    SignatureAgreement(row(a), row(b), 1, absl::MakeSpan(&count, 1));
    return count >= min_agreement;
  };
  // Articles are decided in time order: each joins the most similar
  // earlier original (ties: the smallest index) or becomes an original.
  // That is sequential, but finding and verifying the candidates is not:
  // the time order is cut into blocks; within a block every article is
  // compared, in parallel, with the originals of earlier blocks (the index)
  // and with every earlier article of its own block sharing a band (their
  // roles are not known yet); a sequential pass then keeps the in-block
  // matches whose partner turned out an original. The result, and the
  // statistics, are those of deciding one article after another.
  struct Match {
    uint32_t other;
    double jaccard;  // < 0: below the signature agreement
  };
  struct Decision {
    int64_t best = -1;  // best earlier-block original
    double best_jaccard = 0;
    DedupStats stats;               // against earlier blocks
    std::vector<Match> same_block;  // earlier articles of the block
  };
  const std::vector<uint32_t> order = TimeOrder(published);
  constexpr size_t kBlock = 256;
  std::vector<Decision> decision(kBlock);
  // Per band, the earlier article of the block with the same band key:
  // earlier[b * kBlock + p] (kNone: none), a chain through every earlier
  // one. Built per band with a small hash table of the block's keys (a
  // slot holds a position + 1; 0: empty), which is cleared for the next.
  constexpr uint16_t kNone = 0xffff;
  constexpr size_t kSlots = 2 * kBlock;  // a power of two
  std::vector<uint16_t> earlier(bands * kBlock);
  std::vector<std::vector<uint16_t>> slots(ResolveThreads(options.threads),
                                           std::vector<uint16_t>(kSlots));
  std::vector<uint32_t> new_originals;
  std::vector<uint64_t> new_keys;
  std::vector<uint64_t> block_keys(kBlock * bands);  // by block position
  auto keys_at = [&](size_t p) {
    return absl::MakeConstSpan(block_keys).subspan(p * bands, bands);
  };
  for (size_t start = 0; start < n; start += kBlock) {
    const size_t size = std::min(kBlock, n - start);
    ParallelFor(size, options.threads, 64, [&](size_t begin, size_t end, int) {
      for (size_t p = begin; p < end; ++p) {
        (*index)->BandKeys(
            row(order[start + p]),
            absl::MakeSpan(block_keys).subspan(p * bands, bands));
      }
    });
    ParallelFor(
        bands, options.threads, 1, [&](size_t begin, size_t end, int worker) {
          std::vector<uint16_t>& slot = slots[worker];
          for (size_t b = begin; b < end; ++b) {
            std::fill(slot.begin(), slot.end(), 0);
            for (size_t p = 0; p < size; ++p) {
              uint16_t& prior = earlier[b * kBlock + p];
              prior = kNone;
              if (source.count(order[start + p]) == 0) continue;
              const uint64_t key = keys_at(p)[b];
              for (size_t h = key & (kSlots - 1);; h = (h + 1) & (kSlots - 1)) {
                if (slot[h] == 0) {
                  slot[h] = static_cast<uint16_t>(p + 1);
                  break;
                }
                if (keys_at(slot[h] - 1)[b] == key) {
                  prior = static_cast<uint16_t>(slot[h] - 1);
                  slot[h] = static_cast<uint16_t>(p + 1);
                  break;
                }
              }
            }
          }
        });
    ParallelFor(size, options.threads, 32, [&](size_t begin, size_t end, int) {
      std::vector<uint32_t> candidates;
      std::vector<uint8_t> passed;
      std::vector<uint64_t> own_buffer, other_buffer;
      for (size_t p = begin; p < end; ++p) {
        // The next article's buckets load while this one is compared: on
        // large corpora the band tables and signatures outgrow the cache.
        if (p + 1 < end) (*index)->PrefetchKeys(keys_at(p + 1));
        const uint32_t d = order[start + p];
        Decision& dec = decision[p];
        dec = Decision{};
        if (source.count(d) == 0) continue;  // nothing to compare
        // The article's own set is read (from the temporary file, on large
        // inputs) only once a candidate passes the signature check; most
        // articles have none.
        absl::Span<const uint64_t> own_set;
        bool own_read = false;
        auto own = [&] {
          if (!own_read) {
            own_set = source.Get(d, &own_buffer);
            own_read = true;
          }
          return own_set;
        };
        (*index)->QueryKeys(keys_at(p), &candidates);
        dec.stats.candidates = candidates.size();
        // Each candidate's sketch is compared where it lies (the sketches
        // of the next candidates load meanwhile): gathering them into one
        // block for the batched kernel cost a copy of every row.
        passed.assign(candidates.size(), 0);
        constexpr size_t kAhead = 8;
        for (size_t c = 0; c < candidates.size(); ++c) {
          if (c + kAhead < candidates.size()) {
            PrefetchLines(sketch(candidates[c + kAhead]).data(), k);
          }
          passed[c] = agree(d, candidates[c]);
        }
        for (size_t c = 0; c < candidates.size(); ++c) {
          if (!passed[c]) continue;
          ++dec.stats.estimated;
          const double jaccard =
              ExactJaccard(own(), source.Get(candidates[c], &other_buffer));
          if (jaccard < options.threshold) continue;
          ++dec.stats.verified;
          if (jaccard > dec.best_jaccard) {  // candidates are sorted: ties
            dec.best_jaccard = jaccard;      // keep the smallest index
            dec.best = candidates[c];
          }
        }
        // Earlier articles of the same block sharing a band.
        candidates.clear();
        for (uint32_t b = 0; b < bands; ++b) {
          for (uint16_t q = earlier[b * kBlock + p]; q != kNone;
               q = earlier[b * kBlock + q]) {
            candidates.push_back(q);
          }
        }
        std::sort(candidates.begin(), candidates.end());
        candidates.erase(std::unique(candidates.begin(), candidates.end()),
                         candidates.end());
        for (uint32_t q : candidates) {
          const uint32_t e = order[start + q];
          dec.same_block.push_back(
              {e, agree(d, e)
                      ? ExactJaccard(own(), source.Get(e, &other_buffer))
                      : -1.0});
        }
      }
    });
    if (auto status = source.status(); !status.ok()) return status;
    new_originals.clear();
    new_keys.clear();
    for (size_t p = 0; p < size; ++p) {
      const uint32_t d = order[start + p];
      const Decision& dec = decision[p];
      out.original_of[d] = d;
      if (source.count(d) == 0) continue;
      out.stats.candidates += dec.stats.candidates;
      out.stats.estimated += dec.stats.estimated;
      out.stats.verified += dec.stats.verified;
      int64_t best = dec.best;
      double best_jaccard = dec.best_jaccard;
      for (const Match& m : dec.same_block) {
        if (out.original_of[m.other] != m.other) continue;  // a copy
        ++out.stats.candidates;
        if (m.jaccard < 0) continue;
        ++out.stats.estimated;
        if (m.jaccard < options.threshold) continue;
        ++out.stats.verified;
        if (m.jaccard > best_jaccard ||
            (m.jaccard == best_jaccard && best >= 0 && m.other < best)) {
          best_jaccard = m.jaccard;
          best = m.other;
        }
      }
      if (best >= 0) {
        out.original_of[d] = static_cast<uint32_t>(best);
      } else {
        new_originals.push_back(d);
        new_keys.insert(new_keys.end(), keys_at(p).begin(), keys_at(p).end());
      }
    }
    (*index)->InsertBatch(new_originals, new_keys, options.threads);
  }
  // Dense group ids in input order of each group's first member.
  out.group = out.original_of;
  out.num_groups = Densify(out.group);
  return out;
}

}  // namespace

absl::StatusOr<CopyGroups> FindCopyGroups(
    absl::Span<const std::vector<uint64_t>> shingles,
    absl::Span<const std::optional<absl::Time>> published,
    const DedupOptions& options) {
  std::vector<const std::vector<uint64_t>*> sets;
  sets.reserve(shingles.size());
  for (const auto& set : shingles) sets.push_back(&set);
  return FindCopyGroupsImpl(VectorSource(sets), published, options);
}

absl::StatusOr<CopyGroups> FindCopyGroups(
    absl::Span<const ArticleFeatures> features,
    absl::Span<const std::optional<absl::Time>> published,
    const DedupOptions& options) {
  std::vector<const std::vector<uint64_t>*> sets;
  sets.reserve(features.size());
  for (const auto& f : features) sets.push_back(&f.shingles);
  return FindCopyGroupsImpl(VectorSource(sets), published, options);
}

absl::StatusOr<CopyGroups> FindCopyGroups(
    const ShingleStore& shingles,
    absl::Span<const std::optional<absl::Time>> published,
    const DedupOptions& options) {
  return FindCopyGroupsImpl(StoreSource(shingles), published, options);
}

absl::StatusOr<CopyGroups> FindCopyGroups(
    const ShingleStore& shingles, absl::Span<const uint32_t> signatures,
    absl::Span<const std::optional<absl::Time>> published,
    const DedupOptions& options) {
  if (signatures.empty() && shingles.size() > 0) {
    return absl::InvalidArgumentError("signatures: none given");
  }
  return FindCopyGroupsImpl(StoreSource(shingles), published, options,
                            signatures);
}

absl::StatusOr<CopyGroups> FindCopyGroups(
    const CorpusFeatures& corpus,
    absl::Span<const std::optional<absl::Time>> published,
    const DedupOptions& options) {
  const bool made =
      !corpus.signatures.empty() &&
      corpus.signature_options.num_hashes == options.minhash.num_hashes &&
      corpus.signature_options.seed == options.minhash.seed;
  if (!made) return FindCopyGroups(*corpus.shingles, published, options);
  return FindCopyGroups(*corpus.shingles, corpus.signatures, published,
                        options);
}

}  // namespace storycluster
