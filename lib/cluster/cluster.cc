// Events and storylines. Copies come from dedup.h; only originals take
// part in event clustering (a story reprinted 40 times counts once). Each
// original has two L2-normalised TF-IDF vectors (stemmed content terms with
// the title weighted up; entity-like terms). Candidate pairs share one of
// their strongest terms; the pair model (pair_model.h) turns their two
// cosines, time gap and lengths into the probability of one event. Average
// linkage over that sparse graph (hac.h) forms events; the same over event
// centroids, with a lower threshold and no time limit, forms storylines.
// Average linkage compares whole clusters, so a chain A~B~C does not merge A
// and C unless the clusters are similar on average.
#include "storycluster/cluster.h"

#include <Eigen/SparseCore>
#include <algorithm>
#include <cmath>
#include <optional>

#include "absl/strings/str_cat.h"
#include "lib/cluster/candidates.h"
#include "lib/cluster/hac.h"
#include "lib/cluster/stage_clock.h"
#include "lib/common/dense_ids.h"
#include "lib/common/parallel.h"

namespace storycluster {
namespace {

using SparseVec = Eigen::SparseVector<float>;

// Days between two publication times; nullopt when either is unknown.
std::optional<double> GapDays(const std::optional<absl::Time>& a,
                              const std::optional<absl::Time>& b) {
  if (!a || !b) return std::nullopt;
  return absl::ToDoubleHours(absl::AbsDuration(*a - *b)) / 24;
}

// The members of each group, in row order: group g's rows are
// members[first[g]] .. members[first[g + 1] - 1].
struct GroupMembers {
  std::vector<uint64_t> first;
  std::vector<uint32_t> members;

  GroupMembers(const std::vector<uint32_t>& group_of, uint32_t groups)
      : first(groups + 1, 0), members(group_of.size()) {
    for (uint32_t g : group_of) ++first[g + 1];
    for (uint32_t g = 0; g < groups; ++g) first[g + 1] += first[g];
    std::vector<uint64_t> next(first.begin(), first.end() - 1);
    for (uint32_t r = 0; r < group_of.size(); ++r) {
      members[next[group_of[r]]++] = r;
    }
  }
  uint32_t groups() const { return static_cast<uint32_t>(first.size() - 1); }
  absl::Span<const uint32_t> of(uint32_t g) const {
    return absl::MakeConstSpan(members).subspan(first[g],
                                                first[g + 1] - first[g]);
  }
};

// L2-normalised sums of the rows of each group, as rows of a new matrix.
// The sums run over a group's rows in order, with Eigen sparse vectors.
TermMatrix Centroids(const Rows& rows, const GroupMembers& group, int threads) {
  const uint32_t groups = group.groups();
  const Eigen::Index dimension = std::max<uint32_t>(rows.dimension(), 1);
  TermMatrix out;
  out.dimension = rows.dimension();
  out.offsets.assign(groups + 1, 0);
  out.values.resize(1);
  // In pieces, so that only one piece of Eigen vectors is alive at a time.
  constexpr size_t kPiece = 1 << 14;
  std::vector<SparseVec> sums(std::min<size_t>(groups, kPiece));
  for (uint32_t start = 0; start < groups; start += kPiece) {
    const uint32_t stop =
        static_cast<uint32_t>(std::min<size_t>(groups, start + kPiece));
    ParallelFor(stop - start, threads, 64, [&](size_t begin, size_t end, int) {
      SparseVec member(dimension);
      for (size_t g = start + begin; g < start + end; ++g) {
        SparseVec sum(dimension);
        for (uint32_t m : group.of(static_cast<uint32_t>(g))) {
          const Row row = rows[m];
          member.setZero();
          member.reserve(static_cast<Eigen::Index>(row.indices.size()));
          for (size_t t = 0; t < row.indices.size(); ++t) {
            member.insert(row.indices[t]) = row.values[t];
          }
          sum += member;
        }
        const float norm = sum.norm();
        if (norm > 0) sum /= norm;
        sums[g - start] = std::move(sum);
      }
    });
    // The piece's rows are laid out (serially: sizes only), then copied
    // into place and freed on the workers.
    for (uint32_t g = start; g < stop; ++g) {
      out.offsets[g + 1] =
          out.offsets[g] + static_cast<uint64_t>(sums[g - start].nonZeros());
    }
    out.indices.resize(out.offsets[stop]);
    out.values[0].resize(out.offsets[stop]);
    ParallelFor(stop - start, threads, 256, [&](size_t begin, size_t end, int) {
      for (size_t g = start + begin; g < start + end; ++g) {
        uint64_t at = out.offsets[g];
        for (SparseVec::InnerIterator it(sums[g - start]); it; ++it, ++at) {
          out.indices[at] = static_cast<uint32_t>(it.index());
          out.values[0][at] = it.value();
        }
        sums[g - start] = SparseVec();
      }
    });
  }
  return out;
}

}  // namespace

absl::StatusOr<Clustering> ClusterArticles(
    absl::Span<const Article> articles,
    absl::Span<const ArticleFeatures> features, const ClusterOptions& options,
    DocumentFrequencies* df_out) {
  if (articles.size() != features.size()) {
    return absl::InvalidArgumentError("articles and features differ in size");
  }
  CorpusFeatures corpus;
  InternedTerms interned;
  for (const ArticleFeatures& f : features) {
    InternTerms(f, *corpus.term_dictionary, *corpus.entity_dictionary,
                &interned);
    if (auto s = AppendDocument(f.shingles, interned, &corpus); !s.ok()) {
      return s;
    }
  }
  std::vector<std::optional<absl::Time>> times;
  times.reserve(articles.size());
  for (const Article& a : articles) times.push_back(a.published);
  return ClusterCorpus(times, &corpus, options, df_out);
}

absl::StatusOr<Clustering> ClusterCorpus(
    absl::Span<const std::optional<absl::Time>> times, CorpusFeatures* corpus,
    const ClusterOptions& options, DocumentFrequencies* df_out) {
  if (times.size() != corpus->size() ||
      corpus->shingles->size() != corpus->size() ||
      corpus->entities.size() != corpus->size()) {
    return absl::InvalidArgumentError("times and features differ in size");
  }
  for (double v : {options.event_similarity, options.story_similarity}) {
    if (!(v > 0 && v <= 1)) {
      return absl::InvalidArgumentError(
          absl::StrCat("similarity thresholds must be in (0, 1], got ", v));
    }
  }
  if (!(options.idf_offset >= 0) || !(options.story_idf_offset >= 0)) {
    return absl::InvalidArgumentError("idf offsets must be >= 0");
  }
  if (options.shared_neighbours < 0 || options.shared_neighbours > 1000 ||
      !(options.shared_neighbour_floor >= 0 &&
        options.shared_neighbour_floor <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "shared_neighbours must be in [0, 1000] and shared_neighbour_floor "
        "in [0, 1]; got ",
        options.shared_neighbours, " and ", options.shared_neighbour_floor));
  }
  if (options.candidate_terms < 1 || options.candidate_terms > 10000) {
    return absl::InvalidArgumentError(
        absl::StrCat("candidate_terms must be in [1, 10000], got ",
                     options.candidate_terms));
  }
  const size_t n = times.size();
  Clustering out;
  out.assignments.resize(n);
  if (n == 0) return out;

  StageClock clock(&out.stages);
  // 1. Copies. Only originals take part in event clustering, so a story
  //    reprinted many times does not outweigh the others.
  DedupOptions dedup_options = options.dedup;
  dedup_options.threads = options.threads;
  auto copies = FindCopyGroups(*corpus, times, dedup_options);
  if (!copies.ok()) return copies.status();
  corpus->shingles = std::make_unique<ShingleStore>();  // not needed again
  std::vector<uint32_t>().swap(corpus->signatures);
  const std::vector<uint32_t>& leader = copies->original_of;
  std::vector<uint32_t> originals;
  for (uint32_t i = 0; i < n; ++i) {
    if (leader[i] == i) originals.push_back(i);
  }

  clock.Mark("copies");
  // 2. Events over originals: average linkage over candidate pairs, each
  //    scored by the pair model.
  //    Storylines are bound by shared topic terms, so their vectors use
  //    their own idf offset (terms most articles share keep weight); both
  //    sets come from one pass over the terms. The term lists are not
  //    needed afterwards and are freed.
  const bool own_story_offset = options.story_idf_offset != options.idf_offset;
  std::vector<double> offsets = {options.idf_offset};
  if (own_story_offset) offsets.push_back(options.story_idf_offset);
  auto text_matrix =
      VectorizeRows(corpus->terms, originals, *corpus->term_dictionary, offsets,
                    options.background_df.get(), options.threads, df_out);
  if (!text_matrix.ok()) return text_matrix.status();
  corpus->terms.Clear();
  auto entity_matrix =
      VectorizeRows(corpus->entities, originals, *corpus->entity_dictionary,
                    offsets, nullptr, options.threads);
  if (!entity_matrix.ok()) return entity_matrix.status();
  corpus->entities.Clear();
  corpus->term_dictionary = std::make_unique<TermDictionary>();
  corpus->entity_dictionary = std::make_unique<TermDictionary>();
  const Vectors docs{Rows{&*text_matrix, 0}, Rows{&*entity_matrix, 0}};
  const size_t story_set = own_story_offset ? 1 : 0;
  const Vectors topic{Rows{&*text_matrix, story_set},
                      Rows{&*entity_matrix, story_set}};
  std::vector<std::optional<absl::Time>> original_times;
  for (uint32_t d : originals) original_times.push_back(times[d]);
  const PairModel& model =
      options.pair_model ? *options.pair_model : PairModel::Default();
  auto doc_similarity = [&](uint32_t i, uint32_t j, const PairDots& dots) {
    PairEvidence evidence;
    evidence.text_cosine = dots.Text();
    evidence.entity_cosine = dots.Entity();
    evidence.gap_days = GapDays(original_times[i], original_times[j]);
    evidence.terms_a = static_cast<uint32_t>(docs.text[i].indices.size());
    evidence.terms_b = static_cast<uint32_t>(docs.text[j].indices.size());
    if (options.pair_observer) {
      options.pair_observer(originals[i], originals[j], evidence);
    }
    return model.Probability(evidence);
  };
  // A term in more than a tenth of the articles is too common to propose
  // pairs. Not less: a large story can fill a tenth of a batch (in the
  // uci headlines the words of one story are in more than 5% of them).
  const size_t max_postings = std::max<size_t>(50, originals.size() / 10);
  const CandidateLimits limits{
      static_cast<size_t>(std::max(1, options.max_candidates)),
      static_cast<size_t>(std::max(1, options.max_edges))};
  const CandidateLimits story_limits{
      limits.candidates,
      static_cast<size_t>(std::max(1, options.story_max_edges))};
  clock.Mark("event vectors");
  // Articles propose each other through strong terms they share: a word
  // of one article alone is never among them (see CandidateEdges).
  CandidateSearch doc_search;
  doc_search.top_terms = options.candidate_terms;
  doc_search.shared_terms_only = true;
  doc_search.max_postings = max_postings;
  doc_search.limits = limits;
  doc_search.min_weight = options.min_edge;
  doc_search.times = &original_times;
  doc_search.window = options.event_window;
  doc_search.threads = options.threads;
  std::vector<SimilarityEdge> doc_edges =
      CandidateEdges(docs, doc_search, doc_similarity);
  WeightBySharedNeighbours(static_cast<uint32_t>(originals.size()),
                           options.shared_neighbours,
                           options.shared_neighbour_floor, options.min_edge,
                           options.threads, &doc_edges);
  clock.Mark("event candidates");
  const std::vector<uint32_t> event_root = AverageLinkage(
      static_cast<uint32_t>(originals.size()), std::move(doc_edges),
      options.event_similarity, options.cohesion_ratio, &original_times,
      options.event_window, options.threads);
  clock.Mark("event linkage");
  std::vector<uint32_t> event_of = event_root;
  const uint32_t num_raw_events = Densify(event_of);

  // 3. Storylines over event centroids, the same way with their own
  //    threshold and no time limit.
  const GroupMembers event_members(event_of, num_raw_events);
  const TermMatrix event_text =
      Centroids(topic.text, event_members, options.threads);
  const TermMatrix event_entity =
      Centroids(topic.entity, event_members, options.threads);
  const Vectors events{Rows{&event_text, 0}, Rows{&event_entity, 0}};
  const double ws = options.story_entity_weight;
  auto event_similarity = [&](uint32_t, uint32_t, const PairDots& dots) {
    return (1 - ws) * dots.Text() + ws * dots.Entity();
  };
  // Representative of each event: the original closest to its centroid
  // (a single member is its own; ties: the earlier member). Events are
  // independent: a range of them per worker, each with its own scratch.
  // Then the articles' vectors are no longer needed.
  std::vector<uint32_t> representative(num_raw_events);
  {
    std::vector<ScatteredDot> centroids(ResolveThreads(options.threads));
    ParallelFor(num_raw_events, options.threads, 1024,
                [&](size_t begin, size_t end, int worker) {
                  ScatteredDot& centroid = centroids[worker];
                  for (size_t e = begin; e < end; ++e) {
                    const auto members =
                        event_members.of(static_cast<uint32_t>(e));
                    representative[e] = originals[members[0]];
                    if (members.size() == 1) continue;
                    centroid.Set(events.text[e], events.text.dimension());
                    double best = -1.0;
                    for (uint32_t k : members) {
                      const double similarity = centroid.Dot(topic.text[k]);
                      if (similarity > best) {
                        best = similarity;
                        representative[e] = originals[k];
                      }
                    }
                  }
                });
  }
  *text_matrix = TermMatrix();
  *entity_matrix = TermMatrix();
  clock.Mark("storyline vectors");
  // Events propose each other through their strongest terms as they are,
  // a term of one event alone included: only events whose own strongest
  // terms coincide are compared, which is part of what keeps unrelated
  // events out of a storyline (choosing among shared terms only, as for
  // articles, linked more events and lowered storyline F1 on the dev sets:
  // docs/parameters.md).
  CandidateSearch event_search;
  event_search.top_terms = options.candidate_terms;
  event_search.max_postings = std::max<size_t>(50, num_raw_events / 20);
  event_search.limits = story_limits;
  event_search.min_weight = options.min_edge;
  event_search.threads = options.threads;
  std::vector<SimilarityEdge> event_edges =
      CandidateEdges(events, event_search, event_similarity);
  clock.Mark("storyline candidates");
  std::vector<uint32_t> story_of = AverageLinkage(
      num_raw_events, std::move(event_edges), options.story_similarity, 0,
      nullptr, absl::InfiniteDuration(), options.threads);
  clock.Mark("storyline linkage");

  // 4. Per-article assignment, then dense ids in input order.
  std::vector<uint32_t> dup(n), event(n), story(n);
  std::vector<uint32_t> original_slot(n, 0);
  for (uint32_t k = 0; k < originals.size(); ++k)
    original_slot[originals[k]] = k;
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t slot = original_slot[leader[i]];
    dup[i] = leader[i];
    event[i] = event_of[slot];
    story[i] = story_of[event[i]];
    out.assignments[i].original = leader[i] == i;
  }
  std::vector<uint32_t> raw_event = event;
  out.num_dups = Densify(dup);
  out.num_events = Densify(event);
  out.num_stories = Densify(story);
  out.event_representative.assign(out.num_events, 0);
  for (uint32_t i = 0; i < n; ++i) {
    out.assignments[i].dup = dup[i];
    out.assignments[i].event = event[i];
    out.assignments[i].story = story[i];
    out.event_representative[event[i]] = representative[raw_event[i]];
  }
  clock.Mark("assignment");
  return out;
}

}  // namespace storycluster
