// Copy groups: MinHash → LSH candidates among earlier originals → batched
// signature agreement (similarity kernel) → exact shingle Jaccard.
#include "storycluster/dedup.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "lib/common/parallel.h"
#include "lib/common/time_order.h"
#include "storycluster/lsh.h"
#include "storycluster/shingle.h"
#include "storycluster/similarity.h"

namespace storycluster {

namespace {

// The algorithm, over n articles whose shingle sets `shingles(i)` returns.
template <typename ShinglesOf>
absl::StatusOr<CopyGroups> FindCopyGroupsImpl(
    size_t n, ShinglesOf shingles,
    absl::Span<const std::optional<absl::Time>> published,
    const DedupOptions& options) {
  if (n != published.size()) {
    return absl::InvalidArgumentError("shingles and times differ in size");
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
  const LshOptions lsh_options =
      LshOptions::ForThreshold(options.threshold - options.candidate_margin, k);
  auto index = LshIndex::Create(lsh_options, k);
  if (!index.ok()) return index.status();

  // Signatures in one flat, row-major matrix (n x k).
  std::vector<uint32_t> signatures(n * k);
  ParallelFor(n, options.threads, 1024, [&](size_t begin, size_t end, int) {
    for (size_t i = begin; i < end; ++i) {
      (*hasher)->Sign(shingles(i),
                      absl::MakeSpan(signatures).subspan(i * k, k));
    }
  });
  auto row = [&](size_t i) {
    return absl::MakeConstSpan(signatures).subspan(i * k, k);
  };

  CopyGroups out;
  out.original_of.resize(n);
  const uint32_t min_agreement = static_cast<uint32_t>(std::max(
      0.0, std::ceil((options.threshold - options.estimate_slack) * k)));
  std::vector<uint32_t> candidates, counts, block;
  for (uint32_t d : TimeOrder(published)) {
    out.original_of[d] = d;
    if (shingles(d).empty()) continue;  // nothing to compare
    (*index)->Query(row(d), &candidates);
    out.stats.candidates += candidates.size();
    // Gather candidate rows into one contiguous block for the kernel.
    block.resize(candidates.size() * k);
    for (size_t c = 0; c < candidates.size(); ++c) {
      std::copy_n(row(candidates[c]).data(), k, block.data() + c * k);
    }
    counts.resize(candidates.size());
    SignatureAgreement(row(d), block, candidates.size(),
                       absl::MakeSpan(counts));
    int64_t best = -1;
    double best_jaccard = 0;
    for (size_t c = 0; c < candidates.size(); ++c) {
      if (counts[c] < min_agreement) continue;
      ++out.stats.estimated;
      const double jaccard = ExactJaccard(shingles(d), shingles(candidates[c]));
      if (jaccard < options.threshold) continue;
      ++out.stats.verified;
      if (jaccard > best_jaccard) {  // candidates are sorted: ties keep the
        best_jaccard = jaccard;      // smallest index
        best = candidates[c];
      }
    }
    if (best >= 0) {
      out.original_of[d] = static_cast<uint32_t>(best);
    } else {
      (*index)->Insert(d, row(d));
    }
  }
  // Dense group ids in input order of each group's first member.
  absl::flat_hash_map<uint32_t, uint32_t> dense;
  out.group.resize(n);
  for (size_t i = 0; i < n; ++i) {
    out.group[i] = dense
                       .try_emplace(out.original_of[i],
                                    static_cast<uint32_t>(dense.size()))
                       .first->second;
  }
  out.num_groups = static_cast<uint32_t>(dense.size());
  return out;
}

}  // namespace

absl::StatusOr<CopyGroups> FindCopyGroups(
    absl::Span<const std::vector<uint64_t>> shingles,
    absl::Span<const std::optional<absl::Time>> published,
    const DedupOptions& options) {
  return FindCopyGroupsImpl(
      shingles.size(),
      [&](size_t i) -> const std::vector<uint64_t>& { return shingles[i]; },
      published, options);
}

absl::StatusOr<CopyGroups> FindCopyGroups(
    absl::Span<const ArticleFeatures> features,
    absl::Span<const std::optional<absl::Time>> published,
    const DedupOptions& options) {
  return FindCopyGroupsImpl(
      features.size(),
      [&](size_t i) -> const std::vector<uint64_t>& {
        return features[i].shingles;
      },
      published, options);
}

}  // namespace storycluster
