// Sparse average-linkage clustering with a max-heap (see hac.h).
//
// Each cluster lives in a slot that owns its neighbour list, sorted by
// neighbour. A merge keeps the slot with the longer list and merges the
// other list into it; the neighbours' own lists are brought up to date
// lazily (see `Linkage::Refresh`). The heap holds candidate pairs
// with the linkage they had when pushed and the merge count at that time.
// A merge changes every linkage of the new cluster, so it pushes each of
// its pairs that reaches the threshold, and every older entry naming it
// goes out of date: an entry is acted on only when neither of its clusters
// has grown since it was pushed. The heap thus holds each pair's current
// linkage once, and the merges happen in the order of an eager heap
// (highest linkage first, ties by slot) without reading a neighbour list
// to check an entry.
#include "lib/5_events/hac.h"

#include <algorithm>
#include <optional>
#include <queue>
#include <tuple>
#include <utility>

#include "lib/common/parallel.h"
#include "lib/common/sorted_sets.h"

namespace storycluster {
namespace {

// A neighbour cluster and the summed weight of the edges to it. Packed
// (12 bytes, not 16): on a large graph the lists do not fit the cache,
// and reading a quarter fewer bytes per entry matters more than alignment
// (measured on a 1M-article graph: docs/performance-log.md, part 10).
struct __attribute__((packed)) Link {
  uint32_t key;
  double sum;
};
bool ByKey(const Link& x, const Link& y) { return x.key < y.key; }

struct Candidate {
  double linkage;
  uint32_t a, b;  // a < b, cluster slots
  bool operator<(const Candidate& o) const {
    // Max-heap on linkage; ties prefer the smaller slots.
    return std::tie(linkage, o.a, o.b) < std::tie(o.linkage, a, b);
  }
};

// A candidate pushed after `merges` merges (the initial ones: 0).
struct Pushed {
  Candidate pair;
  uint32_t merges;
  bool operator<(const Pushed& o) const { return pair < o.pair; }
};

// One run of the linkage: the slots' state, the two sources of candidate
// pairs, and the steps of a merge.
class Linkage {
 public:
  // `links` from BuildLinks.
  Linkage(std::vector<std::vector<Link>> links, double threshold,
          double cohesion_ratio,
          const std::vector<std::optional<absl::Time>>* times,
          absl::Duration max_span)
      : n_(static_cast<uint32_t>(links.size())),
        threshold_(threshold),
        cohesion_ratio_(cohesion_ratio),
        max_span_(max_span),
        links_(std::move(links)),
        size_(n_, 1),
        parent_(n_),
        id_(n_),
        merged_at_(n_, 0),
        stale_(n_, 0),
        inner_(n_, 0.0),
        grown_at_(n_, 0),
        first_(n_),
        last_(n_),
        gone_((n_ + 63) / 64, 0) {
    if (times != nullptr) first_ = last_ = *times;
    for (uint32_t i = 0; i < n_; ++i) parent_[i] = id_[i] = i;
  }

  // The pairs that reach the threshold before any merge, sorted.
  void SortInitialCandidates(int threads);
  // Merges until no pair reaches the threshold; each node's cluster's
  // smallest node.
  std::vector<uint32_t> Run();

 private:
  double Cohesion(uint32_t c) const {
    const double pairs = 0.5 * size_[c] * (size_[c] - 1.0);
    return inner_[c] / pairs;
  }
  double LinkageOf(uint32_t x, uint32_t y, double sum) const {
    return sum /
           (static_cast<double>(size_[x]) * static_cast<double>(size_[y]));
  }
  // The same as parent_[x] != x, but an eighth of a byte per slot: on a
  // large graph it stays in the cache where the slots' arrays do not.
  bool MergedAway(uint32_t x) const { return (gone_[x >> 6] >> (x & 63)) & 1; }
  uint32_t Root(uint32_t x) const {
    while (parent_[x] != x) x = parent_[x];
    return x;
  }
  bool Pop(Pushed* p);
  void Offer(uint32_t s, uint32_t y, double sum);
  bool HeldBack(const Candidate& c) const;
  void Refresh(uint32_t c);
  void Merge(uint32_t s, uint32_t t);

  const uint32_t n_;
  const double threshold_, cohesion_ratio_;
  const absl::Duration max_span_;
  std::vector<std::vector<Link>> links_;  // see BuildLinks
  std::vector<uint32_t> size_, parent_, id_;
  // merged_at_[t]: the sequence number of the merge that absorbed slot t.
  std::vector<uint32_t> merged_at_;
  // stale_[c]: some neighbour in links_[c] has been merged away since the
  // list was last brought up to date (see Refresh).
  std::vector<uint8_t> stale_;
  std::vector<double> inner_;  // summed edge weight inside a cluster
  // grown_at_[c]: the merge count right after c last grew (0: never). A
  // heap entry naming c is out of date when pushed before that.
  std::vector<uint32_t> grown_at_;
  // Earliest and latest known time per cluster.
  std::vector<std::optional<absl::Time>> first_, last_;
  std::vector<uint64_t> gone_;  // bit x: slot x has been merged away
  // The initial candidates are consumed in order from a sorted array, and
  // only the pairs offered later go through the heap: a sequential read
  // instead of a sift-down through a heap of every initial pair per pop.
  std::vector<Candidate> initial_;
  size_t next_initial_ = 0;
  std::priority_queue<Pushed> heap_;
  uint32_t merges_ = 0;
  // Scratch of Refresh and Merge.
  std::vector<Link> moved_, merged_;
  // A sum to add to the list entry of `key` (made if missing); `order`
  // keeps the sums of one key in the order of the merges.
  struct Fold {
    uint32_t key, order;
    double sum;
    bool operator<(const Fold& o) const {
      return key != o.key ? key < o.key : order < o.order;
    }
  };
  std::vector<Fold> folds_;
};

// links[c]: c's neighbours and the summed edge weight to each, sorted by
// neighbour. Each worker owns a range of nodes and reads every edge,
// appending those that touch its nodes in edge order; a stable sort then
// sums repeated pairs in that order, as one map filled edge by edge. The
// edges, taken by value, are freed on return, before the linkage's own
// arrays are made.
std::vector<std::vector<Link>> BuildLinks(uint32_t n,
                                          std::vector<SimilarityEdge> edges,
                                          int threads) {
  std::vector<uint32_t> degree(n, 0);
  for (const SimilarityEdge& e : edges) {
    ++degree[e.a];
    ++degree[e.b];
  }
  std::vector<std::vector<Link>> links(n);
  ParallelParts(n, threads, [&](size_t, size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) links[i].reserve(degree[i]);
    auto mine = [&](uint32_t node) { return node >= begin && node < end; };
    for (const SimilarityEdge& e : edges) {
      if (mine(e.a)) links[e.a].push_back({e.b, e.weight});
      if (mine(e.b)) links[e.b].push_back({e.a, e.weight});
    }
    for (size_t i = begin; i < end; ++i) {
      std::vector<Link>& list = links[i];
      std::stable_sort(list.begin(), list.end(), ByKey);
      size_t kept = 0;
      for (size_t k = 0; k < list.size(); ++k) {
        if (kept > 0 && list[kept - 1].key == list[k].key) {
          list[kept - 1].sum += list[k].sum;
        } else {
          list[kept++] = list[k];
        }
      }
      list.resize(kept);
    }
  });
  return links;
}

void Linkage::SortInitialCandidates(int threads) {
  // Gathered in parallel; the pop order does not depend on the order they
  // are added in (a total order).
  std::vector<std::vector<Candidate>> initial((n_ + 1023) / 1024);
  ParallelFor(n_, threads, 1024, [&](size_t begin, size_t end, int) {
    for (size_t i = begin; i < end; ++i) {
      for (const auto& [j, sum] : links_[i]) {
        const double linkage = LinkageOf(i, j, sum);
        if (i < j && linkage >= threshold_) {
          initial[begin / 1024].push_back(
              {linkage, static_cast<uint32_t>(i), j});
        }
      }
    }
  });
  std::vector<Candidate>& all = initial_;
  for (auto& chunk : initial) all.insert(all.end(), chunk.begin(), chunk.end());
  initial = {};
  // Sorted in parallel parts, then merged.
  auto higher_first = [](const Candidate& x, const Candidate& y) {
    return y < x;
  };
  const size_t parts = PartCount(all.size(), threads);
  ParallelParts(all.size(), threads, [&](size_t, size_t begin, size_t end) {
    std::sort(all.begin() + static_cast<ptrdiff_t>(begin),
              all.begin() + static_cast<ptrdiff_t>(end), higher_first);
  });
  for (size_t p = 1; p < parts; ++p) {
    std::inplace_merge(
        all.begin(),
        all.begin() + static_cast<ptrdiff_t>(p * all.size() / parts),
        all.begin() + static_cast<ptrdiff_t>((p + 1) * all.size() / parts),
        higher_first);
  }
}

// The highest entry of both sources; false when both are empty. Taking the
// higher of the two fronts pops in the same order as one heap of all.
bool Linkage::Pop(Pushed* p) {
  if (next_initial_ < initial_.size() &&
      (heap_.empty() || heap_.top().pair < initial_[next_initial_])) {
    *p = {initial_[next_initial_++], 0};
    return true;
  }
  if (heap_.empty()) return false;
  *p = heap_.top();
  heap_.pop();
  return true;
}

// Pushes the pair of a new cluster s and its neighbour y if its linkage
// reaches the threshold. A pair whose sum over s's size alone is below
// the threshold is below it over both sizes (a larger divisor: never a
// larger quotient, rounding included), so y's size, in a large array, is
// read only for the others.
void Linkage::Offer(uint32_t s, uint32_t y, double sum) {
  if (sum / size_[s] < threshold_) return;
  const double linkage = LinkageOf(s, y, sum);
  if (linkage < threshold_) return;
  heap_.push({{linkage, std::min(s, y), std::max(s, y)}, merges_});
}

// Held back, until either side grows: by cohesion (the two clusters are
// tighter than their link), or by the span (which only grows).
bool Linkage::HeldBack(const Candidate& c) const {
  if (cohesion_ratio_ > 0 && size_[c.a] >= 2 && size_[c.b] >= 2 &&
      c.linkage < cohesion_ratio_ * std::min(Cohesion(c.a), Cohesion(c.b))) {
    return true;
  }
  return first_[c.a] && first_[c.b] &&
         std::max(*last_[c.a], *last_[c.b]) -
                 std::min(*first_[c.a], *first_[c.b]) >
             max_span_;
}

// A merge of t into s does not visit t's neighbours (their lists lie all
// over memory); they keep t and are only marked stale. Refresh(c) brings
// c's list up to date when it is next read: the entries of merged-away
// slots are folded into the slot each was merged into, in the order the
// merges happened, which adds the same numbers in the same order as
// updating every neighbour at each merge would have (so the sums, and the
// clusters, are bit for bit the same).
void Linkage::Refresh(uint32_t c) {
  if (!stale_[c]) return;
  stale_[c] = 0;
  std::vector<Link>& list = links_[c];
  moved_.clear();
  size_t kept = 0;
  for (const Link& link : list) {
    if (MergedAway(link.key)) {
      moved_.push_back(link);
    } else {
      list[kept++] = link;
    }
  }
  list.resize(kept);
  if (moved_.empty()) return;
  // Each merged-away slot was merged once: its sequence number orders
  // `moved_` and finds a slot in it.
  auto earlier = [&](const Link& x, uint32_t at) {
    return merged_at_[x.key] < at;
  };
  std::sort(moved_.begin(), moved_.end(), [&](const Link& x, const Link& y) {
    return earlier(x, merged_at_[y.key]);
  });
  folds_.clear();
  for (size_t k = 0; k < moved_.size(); ++k) {
    const uint32_t target = parent_[moved_[k].key];
    const double weight = moved_[k].sum;
    if (MergedAway(target)) {
      // The target was merged later: its entry (made now if c had none)
      // is folded in when its own turn comes.
      auto it = std::lower_bound(moved_.begin() + static_cast<ptrdiff_t>(k) + 1,
                                 moved_.end(), merged_at_[target], earlier);
      if (it != moved_.end() && it->key == target) {
        it->sum += weight;
      } else {
        moved_.insert(it, {target, weight});
      }
      continue;
    }
    folds_.push_back({target, static_cast<uint32_t>(folds_.size()), weight});
  }
  // The sums into the list in one pass: an entry present adds its folds
  // in merge order, a new one starts from its first.
  std::sort(folds_.begin(), folds_.end());
  merged_.clear();
  size_t i = 0;
  for (size_t f = 0; f < folds_.size();) {
    const uint32_t key = folds_[f].key;
    while (i < list.size() && list[i].key < key) merged_.push_back(list[i++]);
    double sum;
    if (i < list.size() && list[i].key == key) {
      sum = list[i++].sum;
    } else {
      sum = folds_[f++].sum;
    }
    for (; f < folds_.size() && folds_[f].key == key; ++f) sum += folds_[f].sum;
    merged_.push_back({key, sum});
  }
  merged_.insert(merged_.end(), list.begin() + static_cast<ptrdiff_t>(i),
                 list.end());
  // Copied, not swapped: the scratch list's capacity is that of the
  // longest list it has held, which a short list must not keep.
  list.assign(merged_.begin(), merged_.end());
}

// Merges slot t into slot s. s's new list: both sorted lists merged
// (without s and t), the sums of shared neighbours added (s's first).
// Every pair of the new cluster is offered again; t's neighbours are
// marked stale (their lists still name t).
void Linkage::Merge(uint32_t s, uint32_t t) {
  if (!first_[s] || (first_[t] && *first_[t] < *first_[s])) {
    first_[s] = first_[t];
  }
  if (!last_[s] || (last_[t] && *last_[t] > *last_[s])) last_[s] = last_[t];
  size_[s] += size_[t];
  size_[t] = 0;
  id_[s] = std::min(id_[s], id_[t]);
  parent_[t] = s;
  gone_[t >> 6] |= uint64_t{1} << (t & 63);
  merged_at_[t] = merges_++;
  grown_at_[s] = merges_;
  const std::vector<Link>& mine = links_[s];
  const std::vector<Link>& theirs = links_[t];
  double sum = 0;  // the edges between s and t
  merged_.clear();
  size_t i = 0, j = 0;
  while (i < mine.size() || j < theirs.size()) {
    if (j == theirs.size() ||
        (i < mine.size() && mine[i].key < theirs[j].key)) {
      if (mine[i].key != t) {
        merged_.push_back(mine[i]);
        Offer(s, mine[i].key, mine[i].sum);
      } else {
        sum = mine[i].sum;
      }
      ++i;
      continue;
    }
    const Link& other = theirs[j++];
    if (other.key == s) continue;
    double total = other.sum;
    if (i < mine.size() && mine[i].key == other.key) {
      total = mine[i++].sum + other.sum;
    }
    merged_.push_back({other.key, total});
    stale_[other.key] = 1;
    Offer(s, other.key, total);
  }
  inner_[s] += inner_[t] + sum;
  links_[s].swap(merged_);
  links_[t] = {};
}

std::vector<uint32_t> Linkage::Run() {
  Pushed top;
  while (Pop(&top)) {
    const Candidate& c = top.pair;
    // Out of date: a side merged away, or grew since (its entry of now, if
    // the pair still reaches the threshold, is in the heap too).
    if (MergedAway(c.a) || MergedAway(c.b) || grown_at_[c.a] > top.merges ||
        grown_at_[c.b] > top.merges) {
      continue;
    }
    if (HeldBack(c)) continue;
    Refresh(c.a);
    Refresh(c.b);
    // The slot with more neighbours stays.
    uint32_t s = c.a, t = c.b;
    if (links_[t].size() > links_[s].size()) std::swap(s, t);
    Merge(s, t);
  }
  std::vector<uint32_t> out(n_);
  for (uint32_t i = 0; i < n_; ++i) out[i] = id_[Root(i)];
  return out;
}

}  // namespace

std::vector<uint32_t> AverageLinkage(uint32_t n,
                                     std::vector<SimilarityEdge> edges,
                                     const LinkageOptions& options) {
  Linkage linkage(BuildLinks(n, std::move(edges), options.threads),
                  options.threshold, options.cohesion_ratio, options.times,
                  options.max_span);
  linkage.SortInitialCandidates(options.threads);
  return linkage.Run();
}

void WeightBySharedNeighbours(uint32_t n, int k, double floor,
                              double min_weight, int threads,
                              std::vector<SimilarityEdge>* edges) {
  if (k <= 0 || n == 0) return;
  // Every node's edges (weight, other end), grouped by node.
  std::vector<size_t> offset(n + size_t{1}, 0);
  for (const SimilarityEdge& e : *edges) {
    ++offset[e.a + size_t{1}];
    ++offset[e.b + size_t{1}];
  }
  for (uint32_t i = 0; i < n; ++i) offset[i + 1] += offset[i];
  std::vector<std::pair<double, uint32_t>> adjacent(offset[n]);
  {
    std::vector<size_t> fill(offset.begin(), offset.end() - 1);
    for (const SimilarityEdge& e : *edges) {
      adjacent[fill[e.a]++] = {e.weight, e.b};
      adjacent[fill[e.b]++] = {e.weight, e.a};
    }
  }
  // Neighbour sets, sorted, in rows of k + 1 (the node itself included).
  const size_t row = static_cast<size_t>(k) + 1;
  std::vector<uint32_t> near(n * row);
  std::vector<uint32_t> count(n);
  auto stronger = [](const std::pair<double, uint32_t>& x,
                     const std::pair<double, uint32_t>& y) {
    return x.first != y.first ? x.first > y.first : x.second < y.second;
  };
  ParallelFor(n, threads, 1024, [&](size_t begin, size_t end, int) {
    for (size_t i = begin; i < end; ++i) {
      auto first = adjacent.begin() + static_cast<ptrdiff_t>(offset[i]);
      auto last = adjacent.begin() + static_cast<ptrdiff_t>(offset[i + 1]);
      const auto keep = std::min<ptrdiff_t>(last - first, k);
      std::partial_sort(first, first + keep, last, stronger);
      uint32_t* out = &near[i * row];
      out[0] = static_cast<uint32_t>(i);
      for (ptrdiff_t m = 0; m < keep; ++m) out[m + 1] = first[m].second;
      count[i] = static_cast<uint32_t>(keep + 1);
      std::sort(out, out + count[i]);
    }
  });
  adjacent = {};
  std::vector<uint8_t> kept(edges->size());
  ParallelFor(edges->size(), threads, 4096, [&](size_t begin, size_t end, int) {
    for (size_t m = begin; m < end; ++m) {
      SimilarityEdge& e = (*edges)[m];
      const uint32_t nx = count[e.a], ny = count[e.b];
      const size_t shared =
          CommonCount(absl::MakeConstSpan(&near[e.a * row], nx),
                      absl::MakeConstSpan(&near[e.b * row], ny));
      const double jaccard =
          static_cast<double>(shared) / static_cast<double>(nx + ny - shared);
      e.weight *= floor + (1 - floor) * jaccard;
      kept[m] = e.weight >= min_weight;
    }
  });
  size_t out = 0;
  for (size_t m = 0; m < edges->size(); ++m) {
    if (kept[m]) (*edges)[out++] = (*edges)[m];
  }
  edges->resize(out);
}

}  // namespace storycluster
