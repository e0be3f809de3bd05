// Pipeline benchmark: runs each stage of storycluster on a generated corpus
// (storycluster generate's news kind, ~2.5 KB per article) and reports per
// stage the median wall time of --repetitions runs, articles/s and MB/s of
// article text, the peak RSS, and the feature stage's rate as a ratio to
// bare ICU word segmentation of the same text in the same binary.
//
//   pipeline_bench --articles 100000 --repetitions 3 --threads 2
//
// The 100k -> 1M scaling is measured by running it at both sizes
// (docs/performance.md).
#include <sys/resource.h>
#include <unicode/ubrk.h>
#include <unicode/utext.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "storycluster/storycluster.h"

namespace {

namespace sc = storycluster;

double PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

// Median wall time of `repetitions` calls of `fn`.
double MedianSeconds(int repetitions, const std::function<void()>& fn) {
  std::vector<double> times;
  for (int r = 0; r < repetitions; ++r) {
    const absl::Time start = absl::Now();
    fn();
    times.push_back(absl::ToDoubleSeconds(absl::Now() - start));
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

// Word segments found by ICU's word break iterator over `text` (UTF-8,
// without conversion), the baseline the feature stage is compared with.
size_t IcuWords(UBreakIterator* it, const std::string& text) {
  UErrorCode status = U_ZERO_ERROR;
  UText* ut = utext_openUTF8(nullptr, text.data(),
                             static_cast<int64_t>(text.size()), &status);
  ubrk_setUText(it, ut, &status);
  size_t words = 0;
  for (int32_t end = ubrk_next(it); end != UBRK_DONE; end = ubrk_next(it)) {
    words += ubrk_getRuleStatus(it) != UBRK_WORD_NONE;
  }
  utext_close(ut);
  return words;
}

struct Row {
  std::string stage;
  double seconds;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"storycluster pipeline benchmark"};
  size_t articles = 100000;
  int repetitions = 3;
  int threads = 2;
  uint64_t seed = 1;
  app.add_option("--articles", articles, "generated articles")
      ->capture_default_str();
  app.add_option("--repetitions", repetitions, "runs per stage (median)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--threads", threads,
                 "threads for the multi-threaded end-to-end run")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--seed", seed, "corpus seed")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  // The corpus as JSON Lines, then parsed once to get the articles.
  std::string jsonl;
  {
    sc::SyntheticOptions options;
    options.articles = articles;
    options.seed = seed;
    jsonl = sc::CorpusJsonl(sc::GenerateCorpus(options));
  }
  std::vector<Row> rows;
  sc::IngestResult ingest;
  rows.push_back({"ingest (JSON Lines parse)", MedianSeconds(repetitions, [&] {
                    auto ingestor = sc::Ingestor::Create();
                    (*ingestor)->AddJsonlBuffer(jsonl, "bench");
                    ingest = std::move(**ingestor).Finish();
                  })});
  const double jsonl_mb = static_cast<double>(jsonl.size()) / 1e6;
  std::string().swap(jsonl);
  const std::vector<sc::Article>& docs = ingest.articles;
  double text_bytes = 0;
  for (const sc::Article& a : docs) {
    text_bytes += static_cast<double>(a.title.size() + a.text.size());
  }

  UErrorCode status = U_ZERO_ERROR;
  UBreakIterator* it = ubrk_open(UBRK_WORD, "en", nullptr, 0, &status);
  size_t icu_words = 0;
  const double icu = MedianSeconds(repetitions, [&] {
    icu_words = 0;
    for (const sc::Article& a : docs) icu_words += IcuWords(it, a.text);
  });
  ubrk_close(it);

  // Feature stage, one thread: boilerplate learning, then normalise +
  // tokenise + shingles + terms, MinHash signing, TF-IDF vectors.
  std::shared_ptr<const sc::BoilerplateFilter> filter;
  const double learn = MedianSeconds(
      repetitions, [&] { filter = *sc::BoilerplateFilter::Create({}, docs); });
  std::vector<sc::ArticleFeatures> features;
  const double extract = MedianSeconds(repetitions, [&] {
    auto extractor = *sc::FeatureExtractor::FromFilter({}, filter);
    features.clear();
    features.reserve(docs.size());
    for (const sc::Article& a : docs) features.push_back(extractor->Extract(a));
  });
  auto hasher = *sc::MinHasher::Create({});
  std::vector<uint32_t> signatures(docs.size() * hasher->num_hashes());
  const double sign = MedianSeconds(repetitions, [&] {
    const size_t k = hasher->num_hashes();
    for (size_t i = 0; i < features.size(); ++i) {
      hasher->Sign(features[i].shingles,
                   absl::MakeSpan(signatures).subspan(i * k, k));
    }
  });
  size_t nonzeros = 0;
  const double tfidf = MedianSeconds(repetitions, [&] {
    nonzeros = 0;
    for (auto channel :
         {&sc::ArticleFeatures::terms, &sc::ArticleFeatures::entities}) {
      sc::DocumentFrequencies df;
      for (const auto& f : features) df.Add(f.*channel);
      auto vectorizer = *sc::TfidfVectorizer::Create(&df);
      for (const auto& f : features) {
        nonzeros += vectorizer->Vectorize(f.*channel).indices.size();
      }
    }
  });
  const double feature_stage = learn + extract + sign + tfidf;

  std::vector<std::optional<absl::Time>> times;
  for (const sc::Article& a : docs) times.push_back(a.published);
  sc::DedupOptions dedup_options;
  dedup_options.threads = 1;
  uint32_t groups = 0;
  const double dedup = MedianSeconds(repetitions, [&] {
    groups = sc::FindCopyGroups(features, times, dedup_options)->num_groups;
  });
  sc::ClusterOptions cluster_options;
  cluster_options.threads = 1;
  sc::Clustering clustering;
  const double cluster = MedianSeconds(repetitions, [&] {
    clustering = *sc::ClusterArticles(docs, features, cluster_options);
  });
  std::vector<sc::ArticleFeatures>().swap(features);

  // End to end after ingest (features + clustering), 1 and N threads.
  sc::PipelineOptions one;
  one.threads = 1;
  sc::PipelineOptions many;
  many.threads = threads;
  const double end_one = MedianSeconds(
      repetitions, [&] { clustering = *sc::RunPipeline(docs, one); });
  const double end_many = MedianSeconds(
      repetitions, [&] { clustering = *sc::RunPipeline(docs, many); });

  rows.push_back({"ICU word segmentation (baseline)", icu});
  rows.push_back({"boilerplate learning", learn});
  rows.push_back({"normalise+tokenise+shingles+terms", extract});
  rows.push_back({"MinHash signing", sign});
  rows.push_back({"TF-IDF vectors", tfidf});
  rows.push_back({"feature stage (the four above)", feature_stage});
  rows.push_back({"copy detection (LSH + verify)", dedup});
  rows.push_back({"clustering (copies, events, storylines)", cluster});
  rows.push_back({"end to end, 1 thread", end_one});
  rows.push_back(
      {"end to end, " + std::to_string(threads) + " threads", end_many});

  const double n = static_cast<double>(docs.size());
  std::printf(
      "pipeline_bench: %zu articles, %.1f MB of text (%.1f MB JSONL), "
      "%d repetitions (medians), 1 thread unless stated\n",
      docs.size(), text_bytes / 1e6, jsonl_mb, repetitions);
  std::printf("%-42s %10s %12s %10s\n", "stage", "seconds", "articles/s",
              "MB/s");
  for (const Row& r : rows) {
    std::printf("%-42s %10.3f %12.0f %10.1f\n", r.stage.c_str(), r.seconds,
                n / r.seconds, text_bytes / 1e6 / r.seconds);
  }
  std::printf("feature stage / ICU segmentation rate: %.2fx\n",
              icu / feature_stage);
  std::printf("end to end %d threads / 1 thread: %.2fx\n", threads,
              end_one / end_many);
  std::printf(
      "copy groups %u, events %u, storylines %u; ICU words %zu, "
      "TF-IDF nonzeros %zu\n",
      groups, clustering.num_events, clustering.num_stories, icu_words,
      nonzeros);
  std::printf("peak RSS %.0f MB\n", PeakRssMb());
  return 0;
}
