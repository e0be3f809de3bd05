// Training the pair model on labeled corpora (cluster.h TrainPairModel).
// The samples are the candidate pairs the clustering itself proposes, so
// the model learns to tell apart exactly the pairs it will be asked about.
#include <mutex>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "storycluster/eval.h"
#include "storycluster/pipeline.h"

namespace storycluster {

absl::StatusOr<PairModel> TrainPairModel(
    const std::vector<TrainingCorpus>& corpora, const IngestOptions& ingest,
    const PipelineOptions& options, double l2, TrainingReport* report) {
  if (corpora.empty()) return absl::InvalidArgumentError("no corpora");
  std::vector<PairSample> samples;
  TrainingReport local;
  for (const TrainingCorpus& corpus : corpora) {
    const bool storylines =
        corpus.labels == TrainingCorpus::Labels::kStorylines;
    auto gold = ReadGoldLabels(corpus.gold, storylines ? "story" : "event");
    if (!gold.ok()) return gold.status();
    absl::flat_hash_map<std::string, std::string> event_of(gold->begin(),
                                                           gold->end());
    struct Seen {
      uint32_t a, b;
      PairEvidence evidence;
    };
    std::vector<Seen> seen;
    std::mutex mutex;
    PipelineOptions run = options;
    run.cluster.events.pair_observer = [&](uint32_t a, uint32_t b,
                                           const PairEvidence& evidence) {
      std::lock_guard<std::mutex> lock(mutex);
      seen.push_back({a, b, evidence});
    };
    auto clustered = ClusterPaths(corpus.inputs, ingest, run);
    if (!clustered.ok()) return clustered.status();
    const auto& articles = clustered->ingest.articles;
    // The workers report in any order: sorted, the samples (and so the
    // fit) do not depend on the thread count.
    std::sort(seen.begin(), seen.end(), [](const Seen& x, const Seen& y) {
      return std::pair(std::min(x.a, x.b), std::max(x.a, x.b)) <
             std::pair(std::min(y.a, y.b), std::max(y.a, y.b));
    });
    TrainingReport::Corpus counts;
    counts.articles = articles.size();
    const size_t first = samples.size();
    for (const Seen& s : seen) {
      const auto ea = event_of.find(articles[s.a].id);
      const auto eb = event_of.find(articles[s.b].id);
      if (ea == event_of.end() || eb == event_of.end()) {
        ++counts.unlabeled;
        continue;
      }
      const bool same = ea->second == eb->second;
      ++counts.pairs;
      counts.same += same;
      if (same && storylines) continue;
      samples.push_back({s.evidence, same, 1.0});
      ++counts.samples;
    }
    if (counts.pairs == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          corpus.gold, ": no candidate pair has both ids labeled"));
    }
    for (size_t i = first; i < samples.size(); ++i) {
      samples[i].weight = 1.0 / static_cast<double>(counts.pairs);
    }
    local.corpora.push_back(counts);
  }
  auto model = PairModel::Fit(samples, l2);
  if (model.ok() && report != nullptr) *report = std::move(local);
  return model;
}

}  // namespace storycluster
