// The stages after features, in order: copies (copies.h) among all
// articles; events (lib/5_events) among the copy-group originals, so a
// story reprinted 40 times counts once; storylines (lib/6_storylines) among
// the events; then each article's three ids. Each original has two
// L2-normalised TF-IDF vectors (stemmed content terms with the title
// weighted up; entity-like terms), under the event and the storyline idf
// offsets.
#include <algorithm>
#include <cmath>
#include <optional>

#include "absl/strings/str_cat.h"
#include "lib/5_events/events.h"
#include "lib/6_storylines/storylines.h"
#include "lib/7_pipeline/stage_clock.h"
#include "lib/common/dense_ids.h"
#include "lib/common/parallel.h"
#include "storycluster/pipeline.h"

namespace storycluster {
namespace {

absl::Status CheckOptions(const ClusterOptions& options) {
  if (absl::Status s = CheckEventOptions(options.events); !s.ok()) return s;
  if (absl::Status s = CheckStorylineOptions(options.storylines); !s.ok()) {
    return s;
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
  const double event_offset = options.events.idf_offset;
  const double story_offset = options.storylines.idf_offset;
  const bool own_story_offset = story_offset != event_offset;
  VectorizeOptions vectorize;
  vectorize.idf_offsets = {event_offset};
  if (own_story_offset) vectorize.idf_offsets.push_back(story_offset);
  vectorize.threads = options.threads;
  OriginalVectors out;
  out.story_set = own_story_offset ? 1 : 0;
  // Content terms weigh like the background archive's; entities are
  // counted in this corpus alone.
  vectorize.background = options.background_df.get();
  auto text = VectorizeRows(corpus->terms, originals, *corpus->term_dictionary,
                            vectorize, df_out);
  if (!text.ok()) return text.status();
  out.text = *std::move(text);
  corpus->terms.Clear();
  vectorize.background = nullptr;
  auto entity = VectorizeRows(corpus->entities, originals,
                              *corpus->entity_dictionary, vectorize);
  if (!entity.ok()) return entity.status();
  out.entity = *std::move(entity);
  corpus->entities.Clear();
  corpus->term_dictionary = std::make_unique<TermDictionary>();
  corpus->entity_dictionary = std::make_unique<TermDictionary>();
  return out;
}

// The candidate search settings both levels share; each stage sets the
// rest (its edges per item, which terms propose pairs, time).
CandidateSearch SharedSearch(const ClusterOptions& options) {
  CandidateSearch search;
  search.top_terms = options.candidate_terms;
  search.limits.candidates =
      static_cast<size_t>(std::max(1, options.max_candidates));
  search.min_weight = options.min_edge;
  search.threads = options.threads;
  return search;
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
  out->num_copy_groups = Densify(dup);
  out->num_events = Densify(event);
  out->num_stories = Densify(story);
  out->event_representative.assign(out->num_events, 0);
  for (uint32_t i = 0; i < n; ++i) {
    out->assignments[i].copy_group = dup[i];
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
  for (const ArticleFeatures& f : features) {
    if (absl::Status s = corpus.Append(f); !s.ok()) return s;
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
  CopyOptions copy_options = options.copies;
  copy_options.threads = options.threads;
  auto copies = FindCopyGroups(*corpus, times, copy_options);
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
  const uint32_t num_originals = static_cast<uint32_t>(originals.size());
  std::vector<SimilarityEdge> event_edges =
      EventEdges(vectors->docs(), originals, original_times, options.events,
                 SharedSearch(options));
  clock.Mark("event candidates");
  std::vector<uint32_t> event_of =
      LinkEvents(num_originals, std::move(event_edges), original_times,
                 options.events, options.threads);
  clock.Mark("event linkage");
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
  std::vector<SimilarityEdge> story_edges =
      StorylineEdges(events, options.storylines, SharedSearch(options));
  clock.Mark("storyline candidates");
  const std::vector<uint32_t> story_of =
      LinkStorylines(num_raw_events, std::move(story_edges), options.storylines,
                     options.threads);
  clock.Mark("storyline linkage");

  // 4. Per-article assignment, then dense ids in input order.
  Assign(leader, originals, event_of, story_of, representative, &out);
  clock.Mark("assignment");
  return out;
}

}  // namespace storycluster
