// The pipeline from articles to clusters: feature extraction on threads
// into compact storage, for articles held in memory (RunPipeline) and for
// inputs streamed from files in two passes (ClusterPaths).
#include "storycluster/pipeline.h"

#include <sys/resource.h>

#include <atomic>
#include <fstream>
#include <future>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "lib/7_pipeline/stage_clock.h"
#include "lib/common/parallel.h"

namespace storycluster {
namespace {

// Articles per batch of the streamed passes: enough to keep the workers
// busy, few enough that a batch's texts and features stay small.
constexpr size_t kBatch = 4096;

// Extractors for `workers` threads sharing one learned filter.
absl::StatusOr<std::vector<std::unique_ptr<FeatureExtractor>>> Extractors(
    const FeatureOptions& options, std::unique_ptr<FurnitureFilter> filter,
    int workers) {
  auto first = FeatureExtractor::FromFilter(
      options, std::shared_ptr<const FurnitureFilter>(std::move(filter)));
  if (!first.ok()) return first.status();
  std::vector<std::unique_ptr<FeatureExtractor>> out;
  out.push_back(std::move(first).value());
  for (int w = 1; w < workers; ++w) {
    auto clone = out.front()->Clone();
    if (!clone.ok()) return clone.status();
    out.push_back(std::move(clone).value());
  }
  return out;
}

// Extracts the features of batches of articles on the workers and appends
// them, in order, to a CorpusFeatures.
class CorpusBuilder {
 public:
  // `expected` is how many articles will be added in all (0: unknown).
  // The shingle sets are also signed by `hasher`, on the workers while
  // they are at hand, into corpus->signatures (copy detection then does
  // not read them back to sign them).
  CorpusBuilder(std::vector<std::unique_ptr<FeatureExtractor>> extractors,
                CorpusFeatures* corpus, size_t expected,
                std::unique_ptr<MinHasher> hasher)
      : extractors_(std::move(extractors)),
        corpus_(corpus),
        expected_(expected),
        hasher_(std::move(hasher)) {
    corpus_->signature_options = {.num_hashes = hasher_->format().num_hashes,
                                  .seed = hasher_->format().seed};
    corpus_->signatures.reserve(expected_ * hasher_->num_hashes());
  }

  // `progress`, if set, is called from the calling thread with the number
  // of the batch's articles done so far.
  absl::Status Add(absl::Span<const Article> batch,
                   const std::function<void(size_t)>& progress = nullptr) {
    shingles_.resize(batch.size());
    terms_.resize(batch.size());
    const size_t k = hasher_->num_hashes();
    const size_t first_row = corpus_->signatures.size() / k;
    corpus_->signatures.resize((first_row + batch.size()) * k);
    const absl::Span<uint32_t> rows =
        absl::MakeSpan(corpus_->signatures).subspan(first_row * k);
    const int workers = static_cast<int>(extractors_.size());
    std::atomic<size_t> done{0};
    ParallelFor(batch.size(), workers, 16,
                [&](size_t begin, size_t end, int worker) {
                  for (size_t i = begin; i < end; ++i) {
                    shingles_[i] = extractors_[worker]->ExtractInterned(
                        batch[i], *corpus_->term_dictionary,
                        *corpus_->entity_dictionary, &terms_[i]);
                    hasher_->Sign(shingles_[i], rows.subspan(i * k, k));
                  }
                  const size_t now = done += end - begin;
                  if (progress && worker == 0) progress(now);
                });
    for (size_t i = 0; i < batch.size(); ++i) {
      if (auto s = corpus_->Append(shingles_[i], terms_[i]); !s.ok()) {
        return s;
      }
    }
    if (!reserved_) ReserveTermLists();
    return absl::OkStatus();
  }

 private:
  // After the first batch: room for the expected articles' terms, at the
  // first batch's terms per article and a quarter more, so that the lists
  // do not grow by copying (and fault in the copy's pages) batch after
  // batch. Reserved pages become resident only as they fill.
  void ReserveTermLists() {
    reserved_ = true;
    const size_t done = corpus_->size();
    if (expected_ <= done || done == 0) return;
    for (TermLists* lists : {&corpus_->terms, &corpus_->entities}) {
      const size_t room = lists->ids.size() * expected_ / done * 5 / 4;
      lists->ids.reserve(room);
      lists->weights.reserve(room);
      lists->offsets.reserve(expected_ + 1);
    }
  }

  std::vector<std::unique_ptr<FeatureExtractor>> extractors_;
  CorpusFeatures* corpus_;
  size_t expected_;
  std::unique_ptr<MinHasher> hasher_;  // const: Sign is thread-safe
  bool reserved_ = false;
  std::vector<std::vector<uint64_t>> shingles_;  // per batch position
  std::vector<InternedTerms> terms_;
};

// "VmRSS:  1234 kB" -> bytes, from /proc/self/status.
int64_t StatusBytes(std::string_view status, std::string_view key) {
  const size_t at = status.find(key);
  if (at == std::string_view::npos) return 0;
  int64_t kb = 0;
  for (size_t i = at + key.size(); i < status.size() && status[i] != '\n';
       ++i) {
    if (status[i] >= '0' && status[i] <= '9') kb = kb * 10 + (status[i] - '0');
  }
  return kb * 1024;
}

}  // namespace

double ProcessCpuSeconds() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) +
           1e-6 * static_cast<double>(t.tv_usec);
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

StageTime MeasureStage(std::string stage, double seconds, double cpu_seconds) {
  StageTime out{std::move(stage), seconds, cpu_seconds};
  std::ifstream in("/proc/self/status");
  const std::string status((std::istreambuf_iterator<char>(in)),
                           std::istreambuf_iterator<char>());
  out.rss_bytes = StatusBytes(status, "VmRSS:");
  out.peak_rss_bytes = StatusBytes(status, "VmHWM:");
  return out;
}

absl::StatusOr<std::vector<ArticleFeatures>> ExtractFeatures(
    absl::Span<const Article> articles, const FeatureOptions& options,
    int threads, const ProgressFn& progress) {
  const int workers = ResolveThreads(threads);
  auto filter = FurnitureFilter::Create(options.furniture, articles, workers);
  if (!filter.ok()) return filter.status();
  auto extractors = Extractors(options, std::move(filter).value(), workers);
  if (!extractors.ok()) return extractors.status();
  std::vector<ArticleFeatures> features(articles.size());
  std::atomic<size_t> done{0};
  ParallelFor(articles.size(), workers, 64,
              [&](size_t begin, size_t end, int worker) {
                for (size_t i = begin; i < end; ++i) {
                  features[i] = (*extractors)[worker]->Extract(articles[i]);
                }
                const size_t now = done.fetch_add(end - begin) + end - begin;
                if (progress && worker == 0) {
                  progress("features", now, articles.size());
                }
              });
  if (progress) progress("features", articles.size(), articles.size());
  return features;
}

absl::StatusOr<Clustering> RunPipeline(absl::Span<const Article> articles,
                                       const PipelineOptions& options,
                                       DocumentFrequencies* df_out) {
  std::vector<StageTime> stages;
  StageClock clock(&stages);
  const int workers = ResolveThreads(options.threads);
  auto filter =
      FurnitureFilter::Create(options.features.furniture, articles, workers);
  if (!filter.ok()) return filter.status();
  auto extractors =
      Extractors(options.features, std::move(filter).value(), workers);
  if (!extractors.ok()) return extractors.status();
  auto hasher = MinHasher::Create(options.cluster.copies.minhash);
  if (!hasher.ok()) return hasher.status();
  CorpusFeatures corpus;
  CorpusBuilder builder(std::move(extractors).value(), &corpus, articles.size(),
                        std::move(hasher).value());
  std::vector<std::optional<absl::Time>> times;
  times.reserve(articles.size());
  for (size_t begin = 0; begin < articles.size(); begin += kBatch) {
    const auto batch = articles.subspan(begin, kBatch);
    auto progress = [&](size_t done) {
      if (options.progress) {
        options.progress("features", begin + done, articles.size());
      }
    };
    if (auto s = builder.Add(batch, progress); !s.ok()) return s;
    for (const Article& a : batch) times.push_back(a.published);
  }
  clock.Mark("features");
  ClusterOptions cluster = options.cluster;
  cluster.threads = options.threads;
  auto clustering = ClusterCorpus(times, &corpus, cluster, df_out);
  if (clustering.ok()) {
    clustering->stages.insert(clustering->stages.begin(), stages.begin(),
                              stages.end());
  }
  return clustering;
}

namespace {

// What the two streamed passes produce.
struct StreamedCorpus {
  IngestResult ingest;  // metadata of the accepted articles
  CorpusFeatures corpus;
  std::vector<std::optional<absl::Time>> times;
};

// Reads `paths` twice: pass 1 checks the records, keeps each article's
// metadata and learns the furniture filter; pass 2 extracts the features
// into compact storage (shingles in a temporary file when
// options.temp_directory is set). Marks "ingest" and "features" on `clock`.
// One pass over the inputs: every accepted article goes, in batches, to
// `process`, one batch at a time in input order. With two or more workers
// the next batch is parsed while the last one is processed (on another
// thread), so parsing is not a serial step between batches. The records
// are parsed on `parse_threads` threads (IngestOptions::threads).
class BatchedPass {
 public:
  using Process = std::function<absl::Status(absl::Span<Article>)>;

  BatchedPass(const std::vector<std::string>& paths,
              const IngestOptions& ingest, int workers)
      : paths_(paths), ingest_(ingest), workers_(workers) {}

  absl::StatusOr<IngestResult> Run(int parse_threads, const Process& process) {
    failed_ = absl::OkStatus();
    IngestOptions streamed = ingest_;
    streamed.threads = parse_threads;
    streamed.sink = [&](Article&& article) {
      if (!failed_.ok()) return;  // the pass has failed: drop the rest
      batch_.push_back(std::move(article));
      if (batch_.size() == kBatch) Submit(process);
    };
    auto ingestor = Ingestor::Create(streamed);
    if (!ingestor.ok()) return ingestor.status();
    absl::Status read;
    for (const std::string& path : paths_) {
      read = (*ingestor)->AddPath(path);
      if (!read.ok()) break;
    }
    if (read.ok() && !batch_.empty() && failed_.ok()) Submit(process);
    Wait();
    batch_.clear();
    working_.clear();
    if (!read.ok()) return read;
    if (!failed_.ok()) return failed_;
    return std::move(**ingestor).Finish();
  }

 private:
  void Wait() {
    if (!running_.valid()) return;
    absl::Status s = running_.get();
    if (failed_.ok()) failed_ = std::move(s);
  }
  void Submit(const Process& process) {
    if (workers_ < 2) {
      failed_ = process(absl::MakeSpan(batch_));
      batch_.clear();
      return;
    }
    Wait();
    working_.swap(batch_);
    batch_.clear();
    if (!failed_.ok()) return;
    running_ = std::async(std::launch::async,
                          [&] { return process(absl::MakeSpan(working_)); });
  }

  const std::vector<std::string>& paths_;
  const IngestOptions& ingest_;
  const int workers_;
  std::vector<Article> batch_, working_;
  absl::Status failed_;
  std::future<absl::Status> running_;  // processing `working_`
};

// Pass 1: records, metadata, furniture line counts. Returns the filter
// learned from them; the ingest result (with only the articles' metadata)
// goes into `out`.
absl::StatusOr<std::unique_ptr<FurnitureFilter>> ReadMetadata(
    BatchedPass& pass, const PipelineOptions& options, int workers,
    StreamedCorpus* out) {
  std::vector<FurnitureLearner> learners;
  for (int w = 0; w < workers; ++w) {
    learners.emplace_back(options.features.furniture);
  }
  std::vector<Article> metadata;
  // Pass 1 is mostly parsing: the records are parsed on the workers too.
  auto first = pass.Run(workers, [&](absl::Span<Article> articles) {
    ParallelFor(articles.size(), workers, 64,
                [&](size_t begin, size_t end, int worker) {
                  for (size_t i = begin; i < end; ++i) {
                    learners[worker].Add(articles[i]);
                  }
                });
    // Copies, made while the batch's texts still occupy the heap, so that
    // the small strings kept pack together instead of pinning a page of
    // freed text each.
    for (const Article& a : articles) {
      Article& meta = metadata.emplace_back();
      meta.id = a.id;
      meta.title = a.title;
      meta.published = a.published;
      meta.source = a.source;
      meta.url = a.url;
      meta.origin = a.origin;
    }
    if (options.progress) options.progress("reading", metadata.size(), 0);
    return absl::OkStatus();
  });
  if (!first.ok()) return first.status();
  out->ingest = std::move(first).value();
  out->ingest.articles = std::move(metadata);
  for (int w = 1; w < workers; ++w) learners[0].Merge(learners[w], workers);
  return learners[0].Build();
}

// Pass 2: features into compact storage, checked against pass 1's
// articles (the input must not change in between).
absl::Status ExtractFeatures(BatchedPass& pass, const PipelineOptions& options,
                             int workers,
                             std::unique_ptr<FurnitureFilter> filter,
                             StreamedCorpus* out) {
  if (!options.temp_directory.empty()) {
    auto store = ShingleStore::InTemporaryFile(options.temp_directory,
                                               options.shingle_memory_bytes);
    if (!store.ok()) return store.status();
    out->corpus.shingles = std::move(store).value();
  }
  auto extractors = Extractors(options.features, std::move(filter), workers);
  if (!extractors.ok()) return extractors.status();
  auto hasher = MinHasher::Create(options.cluster.copies.minhash);
  if (!hasher.ok()) return hasher.status();
  const std::vector<Article>& known = out->ingest.articles;
  CorpusBuilder builder(std::move(extractors).value(), &out->corpus,
                        known.size(), std::move(hasher).value());
  size_t seen = 0;
  // Pass 2's parsing keeps ahead of the workers' feature extraction on
  // one thread (a batch parses in a small part of the time its features
  // take), so the records are parsed on the calling thread alone.
  auto second = pass.Run(1, [&](absl::Span<Article> articles) {
    for (const Article& a : articles) {
      if (seen >= known.size() || a.id != known[seen].id) {
        return absl::FailedPreconditionError(absl::StrCat(
            a.origin.ToString(),
            ": the input changed while it was read (article '", a.id,
            "' was not in the first pass at this position)"));
      }
      ++seen;
    }
    const size_t before = seen - articles.size();
    return builder.Add(articles, [&](size_t done) {
      if (options.progress) {
        options.progress("features", before + done, known.size());
      }
    });
  });
  if (!second.ok()) return second.status();
  if (seen != known.size()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the input changed while it was read: ", known.size(),
                     " articles in the first pass, ", seen, " in the second"));
  }
  if (auto s = out->corpus.shingles->Flush(); !s.ok()) return s;
  out->times.reserve(known.size());
  for (const Article& a : known) out->times.push_back(a.published);
  return absl::OkStatus();
}

absl::StatusOr<StreamedCorpus> StreamCorpus(
    const std::vector<std::string>& paths, const IngestOptions& ingest,
    const PipelineOptions& options, StageClock& clock) {
  for (const std::string& path : paths) {
    if (path == "-") {
      return absl::InvalidArgumentError(
          "streamed runs read their inputs twice; standard input cannot be");
    }
  }
  const int workers = ResolveThreads(options.threads);
  StreamedCorpus out;
  BatchedPass pass(paths, ingest, workers);
  auto filter = ReadMetadata(pass, options, workers, &out);
  if (!filter.ok()) return filter.status();
  clock.Mark("ingest");
  if (absl::Status s =
          ExtractFeatures(pass, options, workers, *std::move(filter), &out);
      !s.ok()) {
    return s;
  }
  clock.Mark("features");
  return out;
}

}  // namespace

absl::StatusOr<PathsClustering> ClusterPaths(
    const std::vector<std::string>& paths, const IngestOptions& ingest,
    const PipelineOptions& options, DocumentFrequencies* df_out) {
  std::vector<StageTime> stages;
  StageClock clock(&stages);
  auto streamed = StreamCorpus(paths, ingest, options, clock);
  if (!streamed.ok()) return streamed.status();
  ClusterOptions cluster = options.cluster;
  cluster.threads = options.threads;
  auto clustering =
      ClusterCorpus(streamed->times, &streamed->corpus, cluster, df_out);
  if (!clustering.ok()) return clustering.status();
  PathsClustering out;
  out.ingest = std::move(streamed->ingest);
  out.clustering = std::move(clustering).value();
  out.clustering.stages.insert(out.clustering.stages.begin(), stages.begin(),
                               stages.end());
  return out;
}

absl::StatusOr<PathsCopyGroups> FindCopyGroupsInPaths(
    const std::vector<std::string>& paths, const IngestOptions& ingest,
    const PipelineOptions& options) {
  PathsCopyGroups out;
  StageClock clock(&out.stages);
  PipelineOptions shingles_only = options;
  shingles_only.features.terms = false;
  auto streamed = StreamCorpus(paths, ingest, shingles_only, clock);
  if (!streamed.ok()) return streamed.status();
  CopyOptions copies = options.cluster.copies;
  copies.threads = options.threads;
  auto groups = FindCopyGroups(streamed->corpus, streamed->times, copies);
  if (!groups.ok()) return groups.status();
  clock.Mark("copies");
  out.ingest = std::move(streamed->ingest);
  out.groups = std::move(groups).value();
  return out;
}

}  // namespace storycluster
