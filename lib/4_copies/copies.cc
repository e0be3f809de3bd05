// Copy groups: MinHash → LSH candidates among earlier originals → batched
// signature agreement (similarity kernel) → exact shingle Jaccard.
#include "storycluster/copies.h"

#include <algorithm>
#include <cmath>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "lib/4_copies/copy_score.h"
#include "lib/common/dense_ids.h"
#include "lib/common/parallel.h"
#include "lib/common/prefetch.h"
#include "lib/common/sorted_sets.h"
#include "lib/common/time_order.h"
#include "storycluster/features.h"

namespace storycluster {

namespace {

// Shingle sets in a ShingleStore; the first read error is kept and
// reported after the stage (reads run on several threads).
class StoreSource {
 public:
  explicit StoreSource(const ShingleStore& store) : store_(store) {}
  size_t size() const { return store_.size(); }
  size_t count(size_t i) const { return store_.count(i); }
  absl::Span<const uint64_t> Get(size_t i,
                                 std::vector<uint64_t>* buffer) const {
    return Kept(store_.Get(i, buffer));
  }
  // The sets of [first, last), one after another (ShingleStore::GetRange).
  absl::Span<const uint64_t> GetRange(size_t first, size_t last,
                                      std::vector<uint64_t>* buffer) const {
    return Kept(store_.GetRange(first, last, buffer));
  }
  absl::Status status() const {
    std::lock_guard<std::mutex> lock(mu_);
    return status_;
  }

 private:
  absl::Span<const uint64_t> Kept(
      absl::StatusOr<absl::Span<const uint64_t>> sets) const {
    if (sets.ok()) return *sets;
    std::lock_guard<std::mutex> lock(mu_);
    if (status_.ok()) status_ = sets.status();
    return {};
  }

  const ShingleStore& store_;
  mutable std::mutex mu_;
  mutable absl::Status status_;
};

absl::Status CheckOptions(size_t n, size_t times, const CopyOptions& options) {
  if (n != times) {
    return absl::InvalidArgumentError("shingles and times differ in size");
  }
  if (n > LshIndex::kMaxId) {
    return absl::InvalidArgumentError(
        absl::StrCat("copy detection takes at most ", LshIndex::kMaxId,
                     " articles at once; got ", n));
  }
  if (options.common_articles > 254 ||
      !(options.max_common_share >= 0 && options.max_common_share <= 1) ||
      !(options.distinct_containment >= 0 &&
        options.distinct_containment <= 1) ||
      !(options.distinct_reprint >= 0 && options.distinct_reprint <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "common_articles must be at most 254, max_common_share, "
        "distinct_containment and distinct_reprint in [0, 1]; got ",
        options.common_articles, ", ", options.max_common_share, ", ",
        options.distinct_containment, " and ", options.distinct_reprint));
  }
  if (!(options.containment >= 0 && options.containment <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "copy containment must be in [0, 1]; got ", options.containment));
  }
  if (!(options.threshold > 0 && options.threshold <= 1) ||
      !(options.candidate_margin >= 0 &&
        options.candidate_margin < options.threshold)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "copy threshold must be in (0, 1] and candidate_margin in [0, "
        "threshold); got ",
        options.threshold, " and ", options.candidate_margin));
  }
  return absl::OkStatus();
}

// The algorithm, over the articles of `source`. Articles are decided in
// time order: each joins the most similar earlier original (ties: the
// smallest index) or becomes an original. That is sequential, but finding
// and verifying the candidates is not: the time order is cut into blocks;
// within a block every article is compared, in parallel, with the
// originals of earlier blocks (the index) and with every earlier article
// of its own block sharing a band (their roles are not known yet); a
// sequential pass then keeps the in-block matches whose partner turned out
// an original. The result, and the statistics, are those of deciding one
// article after another.
class CopyFinder {
 public:
  static constexpr size_t kBlock = 256;

  CopyFinder(const StoreSource& source, const CopyOptions& options,
             std::unique_ptr<MinHasher> hasher, std::unique_ptr<LshIndex> index)
      : source_(source),
        options_(options),
        hasher_(std::move(hasher)),
        index_(std::move(index)),
        n_(source.size()),
        k_(hasher_->num_hashes()),
        bands_(index_->bands()),
        decision_(kBlock),
        earlier_(bands_ * kBlock),
        slots_(ResolveThreads(options.threads), std::vector<uint16_t>(kSlots)),
        block_keys_(kBlock * bands_) {}

  // Signatures in one flat, row-major matrix (n x k): `given` when the
  // caller has them, else computed here on the workers. Beside them, each
  // value's low byte (a sketch, n x k bytes): candidates are compared on
  // sketches first, a quarter of the memory traffic, and on full rows only
  // when the sketch count reaches the bound. A sketch count is never below
  // the full count, so the pairs that pass both are exactly those the full
  // comparison alone would pass.
  absl::Status Sign(absl::Span<const uint32_t> given);
  // Decides every article, block by block in time order.
  absl::StatusOr<CopyGroups> Run(
      absl::Span<const std::optional<absl::Time>> published);

 private:
  struct Match {
    uint32_t other;
    double jaccard;  // < 0: below the signature agreement
  };
  struct Decision {
    int64_t best = -1;  // best earlier-block original
    double best_jaccard = 0;
    CopyStats stats;                // against earlier blocks
    std::vector<Match> same_block;  // earlier articles of the block
  };
  static constexpr uint16_t kNone = 0xffff;
  static constexpr size_t kSlots = 2 * kBlock;  // a power of two

  absl::Span<const uint32_t> Row(size_t i) const {
    return signatures_.subspan(i * k_, k_);
  }
  absl::Span<const uint8_t> Sketch(size_t i) const {
    return absl::MakeConstSpan(sketches_).subspan(i * k_, k_);
  }
  absl::Span<const uint64_t> KeysAt(size_t p) const {
    return absl::MakeConstSpan(block_keys_).subspan(p * bands_, bands_);
  }
  // Whether the signatures of `later` and `earlier` agree in enough
  // positions for their sets to score the threshold (LeastCopyJaccard,
  // less estimate_slack): sketches first, then the full rows.
  bool Agree(uint32_t later, uint32_t earlier) const {
    const double least = LeastCopyJaccard(source_.count(later),
                                          source_.count(earlier), options_) -
                         options_.estimate_slack;
    const auto min_agreement =
        static_cast<uint32_t>(std::max(0.0, std::ceil(least * k_)));
    uint32_t count = 0;
    SketchAgreement(Sketch(later), Sketch(earlier), 1,
                    absl::MakeSpan(&count, 1));
    if (count < min_agreement) return false;
    SignatureAgreement(Row(later), Row(earlier), 1, absl::MakeSpan(&count, 1));
    return count >= min_agreement;
  }
  // An article's set, read, and its profile.
  struct ReadSet {
    absl::Span<const uint64_t> set;
    SetProfile profile;
  };
  // The copy score of `later` against `earlier`.
  double Score(const ReadSet& later, uint32_t earlier,
               std::vector<uint64_t>* buffer) const {
    return CopyScore(later.set, later.profile, source_.Get(earlier, buffer),
                     frequency_.get(), options_);
  }
  // The band keys of the block's articles (`order_[start ..]`, `size`).
  void BlockKeys(size_t start, size_t size);
  // Per band, the earlier article of the block with the same band key:
  // earlier_[b * kBlock + p] (kNone: none), a chain through every earlier
  // one. Built per band with a small hash table of the block's keys (a
  // slot holds a position + 1; 0: empty), which is cleared for the next.
  void ChainSameBlock(size_t start, size_t size);
  // decision_[p] for block position p: the candidates compared and
  // verified, on the workers.
  void Compare(size_t start, size_t size);
  void CompareOne(size_t start, size_t p, size_t end,
                  std::vector<uint32_t>* candidates,
                  std::vector<uint8_t>* passed,
                  std::vector<uint64_t>* own_buffer,
                  std::vector<uint64_t>* other_buffer);
  // The sequential pass over the block: each article's decision, then the
  // new originals into the index.
  void Decide(size_t start, size_t size, CopyGroups* out);

  const StoreSource& source_;
  const CopyOptions& options_;
  const std::unique_ptr<MinHasher> hasher_;
  const std::unique_ptr<LshIndex> index_;
  const size_t n_;
  const uint32_t k_, bands_;
  // Document frequency of the shingles (null: common wording is
  // not discounted, CopyOptions::common_articles = 0).
  std::unique_ptr<ShingleFrequency> frequency_;
  std::vector<uint32_t> own_signatures_;
  absl::Span<const uint32_t> signatures_;
  std::vector<uint8_t> sketches_;
  std::vector<uint32_t> order_;
  std::vector<Decision> decision_;
  std::vector<uint16_t> earlier_;
  std::vector<std::vector<uint16_t>> slots_;  // per worker
  std::vector<uint64_t> block_keys_;          // by block position
  std::vector<uint32_t> new_originals_;
  std::vector<uint64_t> new_keys_;
};

absl::Status CopyFinder::Sign(absl::Span<const uint32_t> given) {
  if (!given.empty() && given.size() != n_ * k_) {
    return absl::InvalidArgumentError(
        absl::StrCat("signatures: ", given.size(), " values for ", n_,
                     " articles of ", k_, " hashes"));
  }
  own_signatures_.assign(given.empty() ? n_ * k_ : 0, 0);
  signatures_ = given.empty() ? absl::MakeConstSpan(own_signatures_) : given;
  sketches_.resize(n_ * k_);
  if (options_.common_articles > 0) {
    uint64_t shingles = 0;
    for (size_t i = 0; i < n_; ++i) shingles += source_.count(i);
    frequency_ = std::make_unique<ShingleFrequency>(shingles);
  }
  const bool read = given.empty() || frequency_ != nullptr;
  ParallelFor(n_, options_.threads, 1024, [&](size_t begin, size_t end, int) {
    std::vector<uint64_t> buffer;
    // The part's sets in one read (one per set was a third of the stage's
    // time on a million articles in the temporary file).
    const auto sets = read ? source_.GetRange(begin, end, &buffer)
                           : absl::Span<const uint64_t>();
    size_t at = 0;
    for (size_t i = begin; i < end; ++i) {
      // (A failed read leaves `sets` short; its status is returned below.)
      if (read && at + source_.count(i) <= sets.size()) {
        const auto set = sets.subspan(at, source_.count(i));
        at += set.size();
        if (frequency_ != nullptr) frequency_->Add(set);
        if (given.empty()) {
          hasher_->Sign(set,
                        absl::MakeSpan(own_signatures_).subspan(i * k_, k_));
        }
      }
      for (size_t j = 0; j < k_; ++j) {
        sketches_[i * k_ + j] = static_cast<uint8_t>(signatures_[i * k_ + j]);
      }
    }
  });
  return source_.status();
}

void CopyFinder::BlockKeys(size_t start, size_t size) {
  ParallelFor(size, options_.threads, 64, [&](size_t begin, size_t end, int) {
    for (size_t p = begin; p < end; ++p) {
      index_->BandKeys(Row(order_[start + p]),
                       absl::MakeSpan(block_keys_).subspan(p * bands_, bands_));
    }
  });
}

void CopyFinder::ChainSameBlock(size_t start, size_t size) {
  ParallelFor(
      bands_, options_.threads, 1, [&](size_t begin, size_t end, int worker) {
        std::vector<uint16_t>& slot = slots_[worker];
        for (size_t b = begin; b < end; ++b) {
          std::fill(slot.begin(), slot.end(), 0);
          for (size_t p = 0; p < size; ++p) {
            uint16_t& prior = earlier_[b * kBlock + p];
            prior = kNone;
            if (source_.count(order_[start + p]) == 0) continue;
            const uint64_t key = KeysAt(p)[b];
            for (size_t h = key & (kSlots - 1);; h = (h + 1) & (kSlots - 1)) {
              if (slot[h] == 0) {
                slot[h] = static_cast<uint16_t>(p + 1);
                break;
              }
              if (KeysAt(slot[h] - 1)[b] == key) {
                prior = static_cast<uint16_t>(slot[h] - 1);
                slot[h] = static_cast<uint16_t>(p + 1);
                break;
              }
            }
          }
        }
      });
}

void CopyFinder::Compare(size_t start, size_t size) {
  ParallelFor(size, options_.threads, 32, [&](size_t begin, size_t end, int) {
    std::vector<uint32_t> candidates;
    std::vector<uint8_t> passed;
    std::vector<uint64_t> own_buffer, other_buffer;
    for (size_t p = begin; p < end; ++p) {
      CompareOne(start, p, end, &candidates, &passed, &own_buffer,
                 &other_buffer);
    }
  });
}

void CopyFinder::CompareOne(size_t start, size_t p, size_t end,
                            std::vector<uint32_t>* candidates,
                            std::vector<uint8_t>* passed,
                            std::vector<uint64_t>* own_buffer,
                            std::vector<uint64_t>* other_buffer) {
  // The next article's buckets load while this one is compared: on large
  // corpora the band tables and signatures outgrow the cache.
  if (p + 1 < end) index_->PrefetchKeys(KeysAt(p + 1));
  const uint32_t d = order_[start + p];
  Decision& dec = decision_[p];
  dec = Decision{};
  if (source_.count(d) == 0) return;  // nothing to compare
  // The article's own set is read (from the temporary file, on large
  // inputs) only once a candidate passes the signature check; most
  // articles have none.
  ReadSet own_set;
  bool own_read = false;
  auto own = [&]() -> const ReadSet& {
    if (!own_read) {
      own_set.set = source_.Get(d, own_buffer);
      own_set.profile = ProfileOf(own_set.set, frequency_.get(), options_);
      own_read = true;
    }
    return own_set;
  };
  index_->QueryKeys(KeysAt(p), candidates);
  dec.stats.candidates = candidates->size();
  // Each candidate's sketch is compared where it lies (the sketches of the
  // next candidates load meanwhile): gathering them into one block for the
  // batched kernel cost a copy of every row.
  passed->assign(candidates->size(), 0);
  constexpr size_t kAhead = 8;
  for (size_t c = 0; c < candidates->size(); ++c) {
    if (c + kAhead < candidates->size()) {
      PrefetchLines(Sketch((*candidates)[c + kAhead]).data(), k_);
    }
    (*passed)[c] = Agree(d, (*candidates)[c]);
  }
  for (size_t c = 0; c < candidates->size(); ++c) {
    if (!(*passed)[c]) continue;
    ++dec.stats.estimated;
    const double jaccard = Score(own(), (*candidates)[c], other_buffer);
    if (jaccard < options_.threshold) continue;
    ++dec.stats.verified;
    if (jaccard > dec.best_jaccard) {  // candidates are sorted: ties
      dec.best_jaccard = jaccard;      // keep the smallest index
      dec.best = (*candidates)[c];
    }
  }
  // Earlier articles of the same block sharing a band.
  candidates->clear();
  for (uint32_t b = 0; b < bands_; ++b) {
    for (uint16_t q = earlier_[b * kBlock + p]; q != kNone;
         q = earlier_[b * kBlock + q]) {
      candidates->push_back(q);
    }
  }
  std::sort(candidates->begin(), candidates->end());
  candidates->erase(std::unique(candidates->begin(), candidates->end()),
                    candidates->end());
  for (uint32_t q : *candidates) {
    const uint32_t e = order_[start + q];
    dec.same_block.push_back(
        {e, Agree(d, e) ? Score(own(), e, other_buffer) : -1.0});
  }
}

void CopyFinder::Decide(size_t start, size_t size, CopyGroups* out) {
  new_originals_.clear();
  new_keys_.clear();
  for (size_t p = 0; p < size; ++p) {
    const uint32_t d = order_[start + p];
    const Decision& dec = decision_[p];
    out->original_of[d] = d;
    if (source_.count(d) == 0) continue;
    out->stats.candidates += dec.stats.candidates;
    out->stats.estimated += dec.stats.estimated;
    out->stats.verified += dec.stats.verified;
    int64_t best = dec.best;
    double best_jaccard = dec.best_jaccard;
    uint64_t sources = dec.stats.verified;
    for (const Match& m : dec.same_block) {
      if (out->original_of[m.other] != m.other) continue;  // a copy
      ++out->stats.candidates;
      if (m.jaccard < 0) continue;
      ++out->stats.estimated;
      if (m.jaccard < options_.threshold) continue;
      ++out->stats.verified;
      ++sources;
      if (m.jaccard > best_jaccard ||
          (m.jaccard == best_jaccard && best >= 0 && m.other < best)) {
        best_jaccard = m.jaccard;
        best = m.other;
      }
    }
    if (options_.max_sources > 0 && sources >= options_.max_sources) {
      best = -1;  // a template's instance, not a copy
    }
    if (best >= 0) {
      out->original_of[d] = static_cast<uint32_t>(best);
    } else {
      new_originals_.push_back(d);
      new_keys_.insert(new_keys_.end(), KeysAt(p).begin(), KeysAt(p).end());
    }
  }
  index_->InsertBatch(new_originals_, new_keys_, options_.threads);
}

absl::StatusOr<CopyGroups> CopyFinder::Run(
    absl::Span<const std::optional<absl::Time>> published) {
  CopyGroups out;
  out.original_of.resize(n_);
  order_ = TimeOrder(published);
  for (size_t start = 0; start < n_; start += kBlock) {
    const size_t size = std::min(kBlock, n_ - start);
    BlockKeys(start, size);
    ChainSameBlock(start, size);
    Compare(start, size);
    if (auto status = source_.status(); !status.ok()) return status;
    Decide(start, size, &out);
  }
  // Dense group ids in input order of each group's first member.
  out.group = out.original_of;
  out.num_groups = Densify(out.group);
  return out;
}

// `given`: the sets' signatures when the caller has them (else empty).
absl::StatusOr<CopyGroups> FindCopyGroupsImpl(
    const StoreSource& source,
    absl::Span<const std::optional<absl::Time>> published,
    const CopyOptions& options, absl::Span<const uint32_t> given = {}) {
  if (absl::Status s = CheckOptions(source.size(), published.size(), options);
      !s.ok()) {
    return s;
  }
  auto hasher = MinHasher::Create(options.minhash);
  if (!hasher.ok()) return hasher.status();
  const uint32_t k = (*hasher)->num_hashes();
  LshOptions lsh_options =
      LshOptions::ForThreshold(options.threshold - options.candidate_margin, k);
  lsh_options.max_per_bucket = options.max_bucket_candidates;
  auto index = LshIndex::Create(lsh_options, k);
  if (!index.ok()) return index.status();
  CopyFinder finder(source, options, *std::move(hasher), *std::move(index));
  if (absl::Status s = finder.Sign(given); !s.ok()) return s;
  return finder.Run(published);
}

}  // namespace

absl::StatusOr<CopyGroups> FindCopyGroups(
    const CorpusFeatures& corpus,
    absl::Span<const std::optional<absl::Time>> published,
    const CopyOptions& options) {
  // Signatures made under other MinHash settings are not these: sign again.
  const bool usable =
      !corpus.signatures.empty() &&
      corpus.signature_options.num_hashes == options.minhash.num_hashes &&
      corpus.signature_options.seed == options.minhash.seed;
  return FindCopyGroupsImpl(StoreSource(*corpus.shingles), published, options,
                            usable ? absl::MakeConstSpan(corpus.signatures)
                                   : absl::Span<const uint32_t>());
}

}  // namespace storycluster
