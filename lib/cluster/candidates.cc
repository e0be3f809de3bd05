// Candidate selection helpers (candidates.h).
#include "lib/cluster/candidates.h"

namespace storycluster {

// The `k` highest-weighted term ids of `v` (ties by id).
void TopTerms(Row v, int k, std::vector<std::pair<float, int>>* scratch,
              std::vector<int>* top, const uint64_t* eligible) {
  scratch->clear();
  top->clear();
  auto counts = [eligible](uint32_t id) {
    return eligible == nullptr || (eligible[id >> 6] >> (id & 63) & 1) != 0;
  };
  const size_t keep = std::min(v.indices.size(), static_cast<size_t>(k));
  if (keep == 0) return;
  if (keep > 64) {  // the general way: sort by (-value, id)
    for (size_t t = 0; t < v.indices.size(); ++t) {
      if (!counts(v.indices[t])) continue;
      scratch->emplace_back(-v.values[t], static_cast<int>(v.indices[t]));
    }
    const size_t kept = std::min(keep, scratch->size());
    std::partial_sort(scratch->begin(), scratch->begin() + kept,
                      scratch->end());
    for (size_t i = 0; i < kept; ++i) top->push_back((*scratch)[i].second);
    return;
  }
  // A few: the best so far, highest value first, kept in order while the
  // row is read once. Ids ascend along the row, so an entry enters only
  // with a value above the last one kept (on a tie the earlier id, already
  // there, wins) and goes after every kept entry of at least its value:
  // the same order as sorting by (-value, id).
  for (size_t t = 0; t < v.indices.size(); ++t) {
    const float value = v.values[t];
    if (scratch->size() == keep) {
      if (!(value > scratch->back().first)) continue;
    }
    if (!counts(v.indices[t])) continue;
    if (scratch->size() == keep) scratch->pop_back();
    auto at = scratch->end();
    while (at != scratch->begin() && (at - 1)->first < value) --at;
    scratch->insert(at, {value, static_cast<int>(v.indices[t])});
  }
  for (const auto& [value, id] : *scratch) top->push_back(id);
}

std::vector<uint64_t> TermsInTwoRows(const Rows& rows, int threads) {
  if (rows.size() == 0) return {};
  const size_t words = (size_t{rows.dimension()} + 63) / 64;
  // Per part: the terms seen in one of its rows and in two or more; the
  // parts then combine (twice in a part, or once in each of two parts).
  const size_t parts = PartCount(rows.size(), threads);
  std::vector<std::vector<uint64_t>> once(parts), twice(parts);
  ParallelParts(rows.size(), threads, [&](size_t p, size_t begin, size_t end) {
    once[p].assign(words, 0);
    twice[p].assign(words, 0);
    for (size_t r = begin; r < end; ++r) {
      for (uint32_t id : rows[r].indices) {
        const uint64_t bit = uint64_t{1} << (id & 63);
        twice[p][id >> 6] |= once[p][id >> 6] & bit;
        once[p][id >> 6] |= bit;
      }
    }
  });
  std::vector<uint64_t> seen(words, 0), shared(words, 0);
  for (size_t p = 0; p < parts; ++p) {
    for (size_t w = 0; w < words; ++w) {
      shared[w] |= twice[p][w] | (seen[w] & once[p][w]);
      seen[w] |= once[p][w];
    }
  }
  return shared;
}

// The at most `k` candidates of `touched` (distinct ranks) with the most
// shared terms `(*count)[rank]`, ties to the larger rank, as (terms, rank)
// in rank order; resets their counts to 0. Linear in the candidates: the
// count at which the k-th falls is found by a histogram.
void SelectCandidates(size_t k, const std::vector<uint32_t>& touched,
                      std::vector<uint16_t>* count,
                      std::vector<std::pair<uint32_t, uint32_t>>* shared) {
  // Reused by the calls on one thread: this runs once per item.
  thread_local std::vector<size_t> at_count;
  thread_local std::vector<uint32_t> tied;
  at_count.assign(1, 0);
  for (uint32_t e : touched) {
    const uint16_t c = (*count)[e];
    if (c >= at_count.size()) at_count.resize(c + 1, 0);
    ++at_count[c];
  }
  // Every candidate with more than `cut` terms is kept, and the latest
  // `ties` of those with exactly `cut`.
  size_t cut = at_count.size() - 1, above = 0;
  while (cut > 0 && above + at_count[cut] < k) above += at_count[cut--];
  const size_t ties = cut == 0 ? 0 : k - above;
  shared->clear();
  tied.clear();
  for (uint32_t e : touched) {
    const uint16_t c = (*count)[e];
    (*count)[e] = 0;
    if (c > cut) {
      shared->push_back({c, e});
    } else if (c == cut && ties > 0) {
      tied.push_back(e);
    }
  }
  if (tied.size() > ties) {
    std::nth_element(tied.begin(), tied.begin() + ties, tied.end(),
                     std::greater<>());
    tied.resize(ties);
  }
  for (uint32_t e : tied) shared->push_back({static_cast<uint32_t>(cut), e});
  std::sort(shared->begin(), shared->end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
}

}  // namespace storycluster
