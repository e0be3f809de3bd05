// Stage 6 of the pipeline, storylines: events that belong to one
// developing story, linked without a time limit. Each event is the
// L2-normalised centroid of its originals' vectors, weighted with their
// own idf offset (shared topic terms should bind a storyline); candidate
// pairs of events share one of their strongest terms, and average linkage
// over the blend of their text and entity cosines forms the storylines.
#ifndef STORYCLUSTER_STORYLINES_H_
#define STORYCLUSTER_STORYLINES_H_

namespace storycluster {

// Storyline options (part of ClusterOptions, pipeline.h).
struct StorylineOptions {
  // Parameters that affect the result.

  // Average-linkage similarity of event centroids to share a storyline.
  // Default: 0.15. REQUIRES: in (0, 1].
  double similarity = 0.15;
  // Share of the entity channel in an event pair's similarity (the rest is
  // the text channel). Default: 0.5.
  double entity_weight = 0.5;
  // The idf offset of the event vectors (EventOptions::idf_offset has the
  // formula): shared topic terms should bind a storyline. Default: 1.0.
  // REQUIRES: >= 0.
  double idf_offset = 1.0;

  // Bounds that keep the work per item constant on large inputs; they
  // change the result only where they are reached.

  // An event keeps at most this many edges to its candidates (the
  // strongest): a storyline is a few event centroids. Default: 40.
  int max_edges = 40;
};

}  // namespace storycluster

#endif  // STORYCLUSTER_STORYLINES_H_
