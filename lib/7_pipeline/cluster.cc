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
#include "lib/5_events/candidates.h"
#include "lib/5_events/hac.h"
#include "lib/7_pipeline/stage_clock.h"
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

absl::Status CheckOptions(const ClusterOptions& options) {
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
  return absl::OkStatus();
}

// The originals' TF-IDF rows, both channels. Storylines are bound by
// shared topic terms, so their vectors use their own idf offset (terms
// most articles share keep weight): value set 1 when it differs. Both sets
// come from one pass over the terms; the corpus's term lists and
// dictionaries are not needed afterwards and are freed.
struct OriginalVectors {
  TermMatrix text, entity;
  size_t story_set = 0;
  Vectors docs() const { return {Rows{&text, 0}, Rows{&entity, 0}}; }
  Vectors topic() const {
    return {Rows{&text, story_set}, Rows{&entity, story_set}};
  }
};

absl::StatusOr<OriginalVectors> VectorizeOriginals(
    const std::vector<uint32_t>& originals, const ClusterOptions& options,
    CorpusFeatures* corpus, DocumentFrequencies* df_out) {
  const bool own_story_offset = options.story_idf_offset != options.idf_offset;
  std::vector<double> offsets = {options.idf_offset};
  if (own_story_offset) offsets.push_back(options.story_idf_offset);
  OriginalVectors out;
  out.story_set = own_story_offset ? 1 : 0;
  auto text =
      VectorizeRows(corpus->terms, originals, *corpus->term_dictionary, offsets,
                    options.background_df.get(), options.threads, df_out);
  if (!text.ok()) return text.status();
  out.text = *std::move(text);
  corpus->terms.Clear();
  auto entity =
      VectorizeRows(corpus->entities, originals, *corpus->entity_dictionary,
                    offsets, nullptr, options.threads);
  if (!entity.ok()) return entity.status();
  out.entity = *std::move(entity);
  corpus->entities.Clear();
  corpus->term_dictionary = std::make_unique<TermDictionary>();
  corpus->entity_dictionary = std::make_unique<TermDictionary>();
  return out;
}

CandidateSearch SearchOptions(const ClusterOptions& options, int max_edges) {
  CandidateSearch search;
  search.top_terms = options.candidate_terms;
  search.limits = {static_cast<size_t>(std::max(1, options.max_candidates)),
                   static_cast<size_t>(std::max(1, max_edges))};
  search.min_weight = options.min_edge;
  search.threads = options.threads;
  return search;
}

// Events over the originals (rows of `docs`, times `original_times`): each
// candidate pair scored by the pair model, average linkage over that
// sparse graph. Returns each original's event root.
std::vector<uint32_t> FormEvents(
    const Vectors& docs, const std::vector<uint32_t>& originals,
    const std::vector<std::optional<absl::Time>>& original_times,
    const ClusterOptions& options, StageClock* clock) {
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
  // Articles propose each other through strong terms they share: a word
  // of one article alone is never among them (see CandidateSearch).
  CandidateSearch search = SearchOptions(options, options.max_edges);
  search.shared_terms_only = true;
  // A term in more than a tenth of the articles is too common to propose
  // pairs. Not less: a large story can fill a tenth of a batch (in the
  // uci headlines the words of one story are in more than 5% of them).
  search.max_postings = std::max<size_t>(50, originals.size() / 10);
  search.times = &original_times;
  search.window = options.event_window;
  std::vector<SimilarityEdge> edges =
      CandidateEdges(docs, search, doc_similarity);
  const uint32_t n = static_cast<uint32_t>(originals.size());
  WeightBySharedNeighbours(n, options.shared_neighbours,
                           options.shared_neighbour_floor, options.min_edge,
                           options.threads, &edges);
  clock->Mark("event candidates");
  LinkageOptions linkage;
  linkage.threshold = options.event_similarity;
  linkage.cohesion_ratio = options.cohesion_ratio;
  linkage.times = &original_times;
  linkage.max_span = options.event_window;
  linkage.threads = options.threads;
  std::vector<uint32_t> root = AverageLinkage(n, std::move(edges), linkage);
  clock->Mark("event linkage");
  return root;
}

// Representative of each event: the original closest to its centroid
// (`events.text`; a single member is its own; ties: the earlier member).
// Events are independent: a range of them per worker, each with its own
// scratch.
std::vector<uint32_t> Representatives(const Vectors& events,
                                      const Vectors& topic,
                                      const GroupMembers& event_members,
                                      const std::vector<uint32_t>& originals,
                                      int threads) {
  const uint32_t num_events = event_members.groups();
  std::vector<uint32_t> representative(num_events);
  std::vector<ScatteredDot> centroids(ResolveThreads(threads));
  ParallelFor(
      num_events, threads, 1024, [&](size_t begin, size_t end, int worker) {
        ScatteredDot& centroid = centroids[worker];
        for (size_t e = begin; e < end; ++e) {
          const auto members = event_members.of(static_cast<uint32_t>(e));
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
  return representative;
}

// Storylines over event centroids: average linkage over their candidate
// pairs with its own threshold, no time limit and no cohesion test.
std::vector<uint32_t> FormStorylines(const Vectors& events,
                                     const ClusterOptions& options,
                                     StageClock* clock) {
  const uint32_t num_events = static_cast<uint32_t>(events.text.size());
  const double ws = options.story_entity_weight;
  auto similarity = [&](uint32_t, uint32_t, const PairDots& dots) {
    return (1 - ws) * dots.Text() + ws * dots.Entity();
  };
  // Events propose each other through their strongest terms as they are,
  // a term of one event alone included: only events whose own strongest
  // terms coincide are compared, which is part of what keeps unrelated
  // events out of a storyline (choosing among shared terms only, as for
  // articles, linked more events and lowered storyline F1 on the dev sets:
  // docs/parameters.md).
  CandidateSearch search = SearchOptions(options, options.story_max_edges);
  search.max_postings = std::max<size_t>(50, num_events / 20);
  std::vector<SimilarityEdge> edges =
      CandidateEdges(events, search, similarity);
  clock->Mark("storyline candidates");
  LinkageOptions linkage;
  linkage.threshold = options.story_similarity;
  linkage.threads = options.threads;
  std::vector<uint32_t> story_of =
      AverageLinkage(num_events, std::move(edges), linkage);
  clock->Mark("storyline linkage");
  return story_of;
}

// Per-article ids, dense in input order of each cluster's first member.
void Assign(const std::vector<uint32_t>& leader,
            const std::vector<uint32_t>& originals,
            const std::vector<uint32_t>& event_of,
            const std::vector<uint32_t>& story_of,
            const std::vector<uint32_t>& representative, Clustering* out) {
  const uint32_t n = static_cast<uint32_t>(leader.size());
  std::vector<uint32_t> dup(n), event(n), story(n);
  std::vector<uint32_t> original_slot(n, 0);
  for (uint32_t k = 0; k < originals.size(); ++k) {
    original_slot[originals[k]] = k;
  }
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t slot = original_slot[leader[i]];
    dup[i] = leader[i];
    event[i] = event_of[slot];
    story[i] = story_of[event[i]];
    out->assignments[i].original = leader[i] == i;
  }
  std::vector<uint32_t> raw_event = event;
  out->num_dups = Densify(dup);
  out->num_events = Densify(event);
  out->num_stories = Densify(story);
  out->event_representative.assign(out->num_events, 0);
  for (uint32_t i = 0; i < n; ++i) {
    out->assignments[i].dup = dup[i];
    out->assignments[i].event = event[i];
    out->assignments[i].story = story[i];
    out->event_representative[event[i]] = representative[raw_event[i]];
  }
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
  if (absl::Status s = CheckOptions(options); !s.ok()) return s;
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

  // 2. Events over originals.
  auto vectors = VectorizeOriginals(originals, options, corpus, df_out);
  if (!vectors.ok()) return vectors.status();
  std::vector<std::optional<absl::Time>> original_times;
  for (uint32_t d : originals) original_times.push_back(times[d]);
  clock.Mark("event vectors");
  std::vector<uint32_t> event_of =
      FormEvents(vectors->docs(), originals, original_times, options, &clock);
  const uint32_t num_raw_events = Densify(event_of);

  // 3. Storylines over event centroids. Then the articles' vectors are no
  //    longer needed.
  const GroupMembers event_members(event_of, num_raw_events);
  const Vectors topic = vectors->topic();
  const TermMatrix event_text =
      Centroids(topic.text, event_members, options.threads);
  const TermMatrix event_entity =
      Centroids(topic.entity, event_members, options.threads);
  const Vectors events{Rows{&event_text, 0}, Rows{&event_entity, 0}};
  const std::vector<uint32_t> representative =
      Representatives(events, topic, event_members, originals, options.threads);
  vectors->text = TermMatrix();
  vectors->entity = TermMatrix();
  clock.Mark("storyline vectors");
  const std::vector<uint32_t> story_of =
      FormStorylines(events, options, &clock);

  // 4. Per-article assignment, then dense ids in input order.
  Assign(leader, originals, event_of, story_of, representative, &out);
  clock.Mark("assignment");
  return out;
}

}  // namespace storycluster
