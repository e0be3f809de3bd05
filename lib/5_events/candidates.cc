// Candidate selection helpers (candidates.h).
#include "lib/5_events/candidates.h"

#include <numeric>

#include "lib/common/time_order.h"

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

CandidateIndex BuildCandidateIndex(const Vectors& v,
                                   const CandidateSearch& search) {
  CandidateIndex index;
  const uint32_t n = static_cast<uint32_t>(v.text.size());
  index.order.resize(n);
  std::iota(index.order.begin(), index.order.end(), 0u);
  if (search.times != nullptr) index.order = TimeOrder(*search.times);
  index.time_at.resize(n);
  if (search.times != nullptr) {
    for (uint32_t r = 0; r < n; ++r) {
      index.time_at[r] = (*search.times)[index.order[r]];
    }
  }
  index.known = static_cast<uint32_t>(
      std::find_if(index.time_at.begin(), index.time_at.end(),
                   [](const auto& t) { return !t.has_value(); }) -
      index.time_at.begin());
  // Each item's keys: its strongest text terms t, then its strongest
  // entity terms as -1 - t. Stored by blocks of items, one array per
  // block (filled by one worker), instead of one allocation per item.
  constexpr size_t kKeyBlock = CandidateIndex::kKeyBlock;
  index.block_keys.resize((n + kKeyBlock - 1) / kKeyBlock);
  index.keys_end.resize(n);
  std::vector<uint64_t> text_shared, entity_shared;  // empty: every term
  if (search.shared_terms_only) {
    text_shared = TermsInTwoRows(v.text, search.threads);
    entity_shared = TermsInTwoRows(v.entity, search.threads);
  }
  ParallelFor(n, search.threads, kKeyBlock, [&](size_t begin, size_t end, int) {
    std::vector<std::pair<float, int>> scratch;
    std::vector<int> top;
    for (size_t i = begin; i < end; ++i) {
      std::vector<int64_t>& out = index.block_keys[i / kKeyBlock];
      TopTerms(v.text[i], search.top_terms, &scratch, &top, text_shared.data());
      out.insert(out.end(), top.begin(), top.end());
      TopTerms(v.entity[i], search.top_terms, &scratch, &top,
               entity_shared.data());
      for (int t : top) out.push_back(-1 - t);
      index.keys_end[i] = static_cast<uint32_t>(out.size());
    }
  });
  // The keys are rewritten in place below: a mutable view of keys().
  auto keys = [&](uint32_t i) {
    const uint32_t from = index.keys_begin(i);
    return absl::MakeSpan(index.block_keys[i / kKeyBlock])
        .subspan(from, index.keys_end[i] - from);
  };
  // The lists one after another in one array, holding visit ranks,
  // ascending. Each item's keys are then replaced by (list << 32 |
  // position of its own rank in the list): the earlier items of a list are
  // the ones before it, found without a lookup or a search. Counted, then
  // filled in visit order: no per-list storage.
  const uint64_t text_lists = v.text.dimension();
  auto list_of = [&](int64_t key) {
    return key >= 0 ? static_cast<uint64_t>(key)
                    : text_lists + static_cast<uint64_t>(-1 - key);
  };
  std::vector<uint64_t>& list_begin = index.list_begin;
  list_begin.assign(text_lists + v.entity.dimension() + 1, 0);
  for (const std::vector<int64_t>& block : index.block_keys) {
    for (int64_t key : block) ++list_begin[list_of(key) + 1];
  }
  for (size_t l = 1; l < list_begin.size(); ++l) {
    list_begin[l] += list_begin[l - 1];
  }
  index.postings.resize(list_begin.back());
  std::vector<uint64_t> fill(list_begin.begin(), list_begin.end() - 1);
  for (uint32_t r = 0; r < n; ++r) {
    for (int64_t& key : keys(index.order[r])) {
      const uint64_t list = list_of(key);
      key = static_cast<int64_t>(list << 32 | (fill[list] - list_begin[list]));
      index.postings[fill[list]++] = r;
    }
  }
  return index;
}

void ProposeCandidates(const CandidateIndex& index,
                       const CandidateSearch& search, size_t r,
                       std::vector<uint16_t>* count,
                       std::vector<uint32_t>* touched,
                       std::vector<std::pair<uint32_t, uint32_t>>* shared) {
  touched->clear();
  for (int64_t key : index.keys(index.order[r])) {
    const absl::Span<const uint32_t> list =
        index.list(static_cast<uint64_t>(key) >> 32);
    if (list.size() > search.max_postings) continue;
    // Earlier items only, and (for a dated item) only those within the
    // window: ranks below `known` are in time order. At most the
    // `limits.candidates` latest of them per term.
    const auto last =
        list.begin() + static_cast<std::ptrdiff_t>(key & 0xffffffff);
    auto first = list.begin();
    if (index.time_at[r].has_value()) {
      const absl::Time from = *index.time_at[r] - search.window;
      first = std::partition_point(list.begin(), last, [&](uint32_t e) {
        return e < index.known && *index.time_at[e] < from;
      });
    }
    if (static_cast<size_t>(last - first) > search.limits.candidates) {
      first = last - static_cast<std::ptrdiff_t>(search.limits.candidates);
    }
    // The counts lie all over an array as long as the items (beyond the
    // cache on large inputs): each is fetched a few entries ahead.
    constexpr std::ptrdiff_t kCountAhead = 16;
    for (auto e = first; e != last; ++e) {
      if (last - e > kCountAhead) {
        __builtin_prefetch(&(*count)[e[kCountAhead]], 1);
      }
      if ((*count)[*e]++ == 0) touched->push_back(*e);
    }
  }
  // Rank candidates by how many strong terms they share (then by recency)
  // and keep the best `limits.candidates`, in rank order.
  SelectCandidates(search.limits.candidates, *touched, count, shared);
}

}  // namespace storycluster
