// Pipeline benchmark: runs each stage of storycluster on a generated corpus
// (storycluster generate's news kind, ~2.5 KB per article) and reports per
// stage the median wall time of --repetitions runs, articles/s and MB/s of
// article text, the peak RSS, and the feature stage's rate as a ratio to
// bare ICU word segmentation of the same text in the same binary.
//
//   pipeline_bench --articles 100000 --repetitions 3 --threads 2
//
// With --scaling it instead runs the streamed pipeline exactly as
// `storycluster cluster FILE` does (ClusterPaths: two passes over a JSON
// Lines file, shingles in a temporary file) on corpora of --articles and
// ten times as many, and reports per stage the median seconds at both
// sizes and their ratio, end-to-end articles/s and MB/s, and the peak RSS
// of each size:
//
//   pipeline_bench --scaling --articles 100000 --repetitions 3 --threads 2
//
// The corpora are written to --corpus-dir (default /tmp) once and reused.
//
// With --dedup it instead runs copy detection alone exactly as
// `storycluster copies FILE` does (FindCopyGroupsInPaths), on one thread,
// on a generated corpus of the edited kind (the edits of real reprints and
// hard negatives, about 2.8 KB an article), and reports the median wall
// time, articles/s and MB/s of the JSON Lines file, each stage's median
// and the peak RSS. It checks that the groups are those of the full path
// (ClusterPaths' copy groups of the same file) and fails if not:
//
//   pipeline_bench --dedup --articles 100000 --repetitions 3
//
// With --parallel-ceiling it measures what two threads can give on this
// machine at best: each workload (bare ICU segmentation; the feature
// extraction of the pipeline path) runs once on one thread, then as two
// independent copies on two threads at once (nothing shared: each copy has
// its own iterator or extractor and dictionaries). The throughput ratio
// 2 * t(one) / t(two copies) is the ceiling of a two-thread speedup for
// that work here; a run's own two-thread speedup is read against it:
//
//   pipeline_bench --parallel-ceiling --articles 20000 --repetitions 5
#include <malloc.h>
#include <sys/resource.h>
#include <unicode/ubrk.h>
#include <unicode/utext.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "storycluster/storycluster.h"
#include "tests/3_features/reference_tfidf.h"

namespace {

namespace sc = storycluster;

double PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

// Wall time of one call of `fn`.
double Seconds(const std::function<void()>& fn) {
  const absl::Time start = absl::Now();
  fn();
  return absl::ToDoubleSeconds(absl::Now() - start);
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// Median wall time of `repetitions` calls of `fn`.
double MedianSeconds(int repetitions, const std::function<void()>& fn) {
  std::vector<double> times;
  for (int r = 0; r < repetitions; ++r) times.push_back(Seconds(fn));
  return Median(std::move(times));
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

// Word segments of every article's title and body: the text the feature
// stage reads (and the MB/s column counts).
size_t IcuCorpusWords(UBreakIterator* it,
                      const std::vector<sc::Article>& docs) {
  size_t words = 0;
  for (const sc::Article& a : docs) {
    words += IcuWords(it, a.title) + IcuWords(it, a.text);
  }
  return words;
}

// The pipeline path's feature extraction (as RunPipeline and `storycluster
// cluster` do it): every article's terms interned into `corpus`'s
// dictionaries as they are extracted, its shingles and term lists appended.
void ExtractInterned(const std::vector<sc::Article>& docs,
                     const std::shared_ptr<const sc::FurnitureFilter>& filter,
                     sc::CorpusFeatures* corpus) {
  auto extractor = *sc::FeatureExtractor::FromFilter({}, filter);
  sc::InternedTerms terms;
  for (const sc::Article& a : docs) {
    const std::vector<uint64_t> shingles = extractor->ExtractInterned(
        a, *corpus->term_dictionary, *corpus->entity_dictionary, &terms);
    (void)corpus->Append(shingles, terms);
  }
}

struct Row {
  std::string stage;
  double seconds;
};

// Linux: resets the process's peak RSS (VmHWM) to its current RSS.
void ResetPeakRss() { std::ofstream("/proc/self/clear_refs") << "5"; }

// One corpus size of the --scaling mode.
struct ScalingRun {
  size_t articles = 0;
  double mb = 0;                                      // JSON Lines file
  std::vector<double> totals;                         // per repetition
  std::map<std::string, std::vector<double>> stages;  // per stage
  std::vector<std::string> order;                     // stage order
  int64_t peak_rss = 0;                               // max over runs
};

int RunScaling(size_t articles, int repetitions, int threads, uint64_t seed,
               const std::string& corpus_dir) {
  std::vector<ScalingRun> sizes;
  for (size_t n : {articles, articles * 10}) {
    const std::string path =
        absl::StrCat(corpus_dir, "/pipeline_bench-", n, "-", seed, ".jsonl");
    if (!std::filesystem::exists(path)) {  // written atomically: complete
      sc::SyntheticOptions options;
      options.articles = n;
      options.seed = seed;
      const absl::Status written = sc::WriteOutputFile(
          path, sc::CorpusJsonl(sc::GenerateCorpus(options)));
      if (!written.ok()) {
        std::fprintf(stderr, "pipeline_bench: %s\n",
                     written.ToString().c_str());
        return 1;
      }
      malloc_trim(0);
    }
    ScalingRun& run = sizes.emplace_back();
    run.articles = n;
    run.mb = static_cast<double>(std::filesystem::file_size(path)) / 1e6;
    sc::PipelineOptions options;
    options.threads = threads;
    options.temp_directory = corpus_dir;
    for (int r = 0; r < repetitions; ++r) {
      ResetPeakRss();
      const absl::Time start = absl::Now();
      auto result = sc::ClusterPaths({path}, {}, options);
      if (!result.ok()) {
        std::fprintf(stderr, "pipeline_bench: %s\n",
                     result.status().ToString().c_str());
        return 1;
      }
      run.totals.push_back(absl::ToDoubleSeconds(absl::Now() - start));
      for (const sc::StageTime& stage : result->clustering.stages) {
        if (run.stages[stage.stage].empty()) run.order.push_back(stage.stage);
        run.stages[stage.stage].push_back(stage.seconds);
      }
      run.peak_rss =
          std::max(run.peak_rss, sc::MeasureStage("", 0).peak_rss_bytes);
    }
  }
  const ScalingRun& small = sizes[0];
  const ScalingRun& large = sizes[1];
  std::printf(
      "pipeline_bench --scaling: ClusterPaths on %zu and %zu generated "
      "articles (%.0f and %.0f MB of JSON Lines), %d threads, medians of %d\n",
      small.articles, large.articles, small.mb, large.mb, threads, repetitions);
  std::printf("%-24s %12s %12s %8s\n", "stage", "small s", "large s", "ratio");
  for (const std::string& stage : small.order) {
    const double a = Median(small.stages.at(stage));
    const double b = Median(large.stages.at(stage));
    std::printf("%-24s %12.2f %12.2f %8.2f\n", stage.c_str(), a, b, b / a);
  }
  const double a = Median(small.totals), b = Median(large.totals);
  std::printf("%-24s %12.2f %12.2f %8.2f\n", "end to end", a, b, b / a);
  for (const ScalingRun* run : {&small, &large}) {
    const double t = Median(run->totals);
    std::printf("%zu articles: %.0f articles/s, %.1f MB/s, peak RSS %.0f MB\n",
                run->articles, static_cast<double>(run->articles) / t,
                run->mb / t, static_cast<double>(run->peak_rss) / 1048576.0);
  }
  std::printf("time(%zu) / time(%zu) = %.2f (linear: 10)\n", large.articles,
              small.articles, b / a);
  return 0;
}

// --parallel-ceiling: each workload alone on one thread, then two
// independent copies of it on two threads at once; per repetition the
// throughput ratio 2 * t(one) / t(two), which is 2 when the machine runs
// two threads as fast as one.
int RunDedup(size_t articles, int repetitions, uint64_t seed,
             const std::string& corpus_dir) {
  const std::string path = absl::StrCat(corpus_dir, "/pipeline_bench-edited-",
                                        articles, "-", seed, ".jsonl");
  if (!std::filesystem::exists(path)) {  // written atomically: complete
    sc::SyntheticOptions options;
    options.kind = sc::SyntheticKind::kEdited;
    options.articles = articles;
    options.seed = seed;
    const absl::Status written =
        sc::WriteOutputFile(path, sc::CorpusJsonl(sc::GenerateCorpus(options)));
    if (!written.ok()) {
      std::fprintf(stderr, "pipeline_bench: %s\n", written.ToString().c_str());
      return 1;
    }
    malloc_trim(0);
  }
  const double mb = static_cast<double>(std::filesystem::file_size(path)) / 1e6;
  sc::PipelineOptions options;
  options.threads = 1;
  options.temp_directory = corpus_dir;
  std::vector<double> walls;
  std::map<std::string, std::vector<double>> stages;
  std::vector<std::string> order;
  std::vector<uint32_t> groups;
  double peak_mb = 0;
  for (int r = 0; r < repetitions; ++r) {
    ResetPeakRss();
    const absl::Time start = absl::Now();
    auto result = sc::FindCopyGroupsInPaths({path}, {}, options);
    walls.push_back(absl::ToDoubleSeconds(absl::Now() - start));
    if (!result.ok()) {
      std::fprintf(stderr, "pipeline_bench: %s\n",
                   result.status().ToString().c_str());
      return 1;
    }
    peak_mb = std::max(peak_mb, PeakRssMb());
    for (const sc::StageTime& st : result->stages) {
      if (r == 0) order.push_back(st.stage);
      stages[st.stage].push_back(st.seconds);
    }
    groups = std::move(result->groups.group);
  }
  // The full path's copy groups (two threads: its output is the same for
  // any number).
  options.threads = 2;
  auto full = sc::ClusterPaths({path}, {}, options);
  if (!full.ok()) {
    std::fprintf(stderr, "pipeline_bench: %s\n",
                 full.status().ToString().c_str());
    return 1;
  }
  size_t differ =
      groups.size() == full->clustering.assignments.size()
          ? 0
          : std::max(groups.size(), full->clustering.assignments.size());
  for (size_t i = 0; differ == 0 && i < groups.size(); ++i) {
    differ += groups[i] != full->clustering.assignments[i].copy_group;
  }
  const double wall = Median(walls);
  std::printf(
      "pipeline_bench --dedup: %zu articles of the edited kind, %.1f MB "
      "JSONL, %d repetitions (medians), 1 thread\n",
      articles, mb, repetitions);
  std::printf("%-24s %10s %12s %10s\n", "stage", "seconds", "articles/s",
              "MB/s");
  const double n = static_cast<double>(articles);
  for (const std::string& stage : order) {
    const double t = Median(stages[stage]);
    std::printf("%-24s %10.3f %12.0f %10.1f\n", stage.c_str(), t, n / t,
                mb / t);
  }
  std::printf("%-24s %10.3f %12.0f %10.1f\n", "end to end", wall, n / wall,
              mb / wall);
  std::printf("peak RSS %.0f MB\n", peak_mb);
  std::printf("copy groups the same as the full path (ClusterPaths): %s\n",
              differ == 0 ? "yes" : "NO");
  return differ == 0 ? 0 : 1;
}

int RunParallelCeiling(const std::vector<sc::Article>& docs, int repetitions) {
  auto filter = sc::FurnitureFilter::Create({}, docs);
  if (!filter.ok()) {
    std::fprintf(stderr, "pipeline_bench: %s\n",
                 filter.status().ToString().c_str());
    return 1;
  }
  const std::shared_ptr<const sc::FurnitureFilter> shared =
      std::move(filter).value();
  auto icu = [&] {
    UErrorCode status = U_ZERO_ERROR;
    UBreakIterator* it = ubrk_open(UBRK_WORD, "en", nullptr, 0, &status);
    const size_t words = IcuCorpusWords(it, docs);
    ubrk_close(it);
    return words;
  };
  auto extract = [&] {
    sc::CorpusFeatures corpus;
    ExtractInterned(docs, shared, &corpus);
    return corpus.terms.size();
  };
  std::printf(
      "pipeline_bench --parallel-ceiling: %zu articles; each workload on one "
      "thread, then two independent copies on two threads at once\n",
      docs.size());
  std::printf("%-34s %8s %8s %8s\n", "workload (repetition)", "one s", "two s",
              "ceiling");
  for (auto [name, work] : {std::pair<const char*, std::function<size_t()>>{
                                "ICU word segmentation", icu},
                            {"feature extraction", extract}}) {
    std::vector<double> ceilings;
    for (int r = 0; r < repetitions; ++r) {
      size_t sink = 0;
      const double one = Seconds([&] { sink += work(); });
      const double two = Seconds([&] {
        size_t other = 0;
        std::thread copy([&] { other = work(); });
        sink += work();
        copy.join();
        sink += other;
      });
      ceilings.push_back(2 * one / two);
      std::printf("%-30s (%d) %8.3f %8.3f %7.2fx%s\n", name, r + 1, one, two,
                  ceilings.back(), sink == 0 ? " (no output)" : "");
    }
    std::printf("%-34s %26.2fx\n", absl::StrCat(name, ": median").c_str(),
                Median(ceilings));
  }
  return 0;
}

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
  bool features_only = false;
  app.add_flag("--features-only", features_only,
               "stop after the feature stage (with its ICU ratio): no copy "
               "detection, clustering or end-to-end runs");
  bool scaling = false;
  std::string corpus_dir = "/tmp";
  app.add_flag("--scaling", scaling,
               "run the streamed pipeline at --articles and 10x as many");
  app.add_option(
         "--corpus-dir", corpus_dir,
         "where --scaling and --dedup write (and reuse) their corpora and "
         "temporary files")
      ->capture_default_str();
  bool dedup_only = false;
  app.add_flag("--dedup", dedup_only,
               "copy detection alone, as `storycluster copies` runs it, on "
               "one thread, on an edited-kind corpus, checked against the "
               "full path's groups");
  bool parallel_ceiling = false;
  app.add_flag("--parallel-ceiling", parallel_ceiling,
               "measure the two-thread ceiling of this machine: one thread "
               "against two independent copies of a workload at once");
  CLI11_PARSE(app, argc, argv);
  if (dedup_only) {
    mallopt(M_MMAP_THRESHOLD, 1 << 20);  // as the CLI
    return RunDedup(articles, repetitions, seed, corpus_dir);
  }
  if (scaling) {
    mallopt(M_MMAP_THRESHOLD, 1 << 20);  // as the CLI: freed buffers return
    return RunScaling(articles, repetitions, threads, seed, corpus_dir);
  }

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
  if (parallel_ceiling) return RunParallelCeiling(docs, repetitions);
  double text_bytes = 0;
  for (const sc::Article& a : docs) {
    text_bytes += static_cast<double>(a.title.size() + a.text.size());
  }

  // ICU segmentation and the feature stage as the pipeline runs it
  // (RunPipeline, `storycluster cluster`): terms interned into the corpus
  // dictionaries as they are extracted, shingle sets into the corpus
  // store, signatures from the store, TF-IDF rows from the interned term
  // lists, with both idf offsets. Each repetition runs ICU and then the
  // stage's steps, so that its ratio compares runs made seconds apart (on
  // a shared VM the speed drifts over tens of seconds); the reported
  // ratio is the median of the repetitions' ratios.
  UErrorCode status = U_ZERO_ERROR;
  UBreakIterator* it = ubrk_open(UBRK_WORD, "en", nullptr, 0, &status);
  size_t icu_words = 0;
  std::shared_ptr<const sc::FurnitureFilter> filter;
  sc::CorpusFeatures corpus;
  auto hasher = *sc::MinHasher::Create({});
  std::vector<uint32_t> signatures(docs.size() * hasher->num_hashes());
  std::vector<uint32_t> all_rows(docs.size());
  for (uint32_t i = 0; i < all_rows.size(); ++i) all_rows[i] = i;
  const sc::ClusterOptions defaults;
  const std::vector<double> offsets = {defaults.events.idf_offset,
                                       defaults.storylines.idf_offset};
  size_t row_nonzeros = 0;
  std::vector<double> icu_runs, learn_runs, interned_runs, sign_stored_runs,
      rows_runs, paired;
  for (int r = 0; r < repetitions; ++r) {
    icu_runs.push_back(Seconds([&] { icu_words = IcuCorpusWords(it, docs); }));
    learn_runs.push_back(
        Seconds([&] { filter = *sc::FurnitureFilter::Create({}, docs); }));
    interned_runs.push_back(Seconds([&] {
      corpus = sc::CorpusFeatures();
      ExtractInterned(docs, filter, &corpus);
    }));
    sign_stored_runs.push_back(Seconds([&] {
      const size_t k = hasher->num_hashes();
      std::vector<uint64_t> buffer;
      for (size_t i = 0; i < docs.size(); ++i) {
        hasher->Sign(*corpus.shingles->Get(i, &buffer),
                     absl::MakeSpan(signatures).subspan(i * k, k));
      }
    }));
    rows_runs.push_back(Seconds([&] {
      row_nonzeros = 0;
      for (auto [lists, dictionary] :
           {std::pair(&corpus.terms, corpus.term_dictionary.get()),
            std::pair(&corpus.entities, corpus.entity_dictionary.get())}) {
        row_nonzeros += sc::VectorizeRows(*lists, all_rows, *dictionary,
                                          {.idf_offsets = offsets})
                            ->indices.size();
      }
    }));
    paired.push_back(icu_runs.back() /
                     (learn_runs.back() + interned_runs.back() +
                      sign_stored_runs.back() + rows_runs.back()));
  }
  ubrk_close(it);
  const double icu = Median(icu_runs);
  const double learn = Median(learn_runs);
  const double extract_interned = Median(interned_runs);
  const double sign_stored = Median(sign_stored_runs);
  const double tfidf_rows = Median(rows_runs);

  // The feature stage through the library's string API, one thread:
  // normalise + tokenise + shingles + terms, MinHash signing, TF-IDF
  // vectors (furniture learning as above).
  std::vector<sc::ArticleFeatures> features;
  const double extract = MedianSeconds(repetitions, [&] {
    auto extractor = *sc::FeatureExtractor::FromFilter({}, filter);
    features.clear();
    features.reserve(docs.size());
    for (const sc::Article& a : docs) features.push_back(extractor->Extract(a));
  });
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

  corpus = sc::CorpusFeatures();
  const double pipeline_stage =
      learn + extract_interned + sign_stored + tfidf_rows;

  double dedup = 0, cluster = 0, end_one = 0, end_many = 0;
  std::vector<double> threads_paired;  // 1 thread / N, per repetition
  uint32_t groups = 0;
  sc::Clustering clustering;
  if (!features_only) {
    std::vector<std::optional<absl::Time>> times;
    for (const sc::Article& a : docs) times.push_back(a.published);
    sc::CopyOptions copy_options;
    copy_options.threads = 1;
    sc::CorpusFeatures shingles;
    for (const sc::ArticleFeatures& f : features) (void)shingles.Append(f);
    dedup = MedianSeconds(repetitions, [&] {
      groups = sc::FindCopyGroups(shingles, times, copy_options)->num_groups;
    });
    sc::ClusterOptions cluster_options;
    cluster_options.threads = 1;
    cluster = MedianSeconds(repetitions, [&] {
      clustering = *sc::ClusterArticles(docs, features, cluster_options);
    });
    std::vector<sc::ArticleFeatures>().swap(features);

    // End to end after ingest (features + clustering), 1 and N threads.
    sc::PipelineOptions one;
    one.threads = 1;
    sc::PipelineOptions many;
    many.threads = threads;
    // In turn within each repetition, like ICU and the feature stage.
    std::vector<double> one_runs, many_runs;
    for (int r = 0; r < repetitions; ++r) {
      one_runs.push_back(
          Seconds([&] { clustering = *sc::RunPipeline(docs, one); }));
      many_runs.push_back(
          Seconds([&] { clustering = *sc::RunPipeline(docs, many); }));
      threads_paired.push_back(one_runs.back() / many_runs.back());
    }
    end_one = Median(one_runs);
    end_many = Median(many_runs);
  }

  rows.push_back({"ICU word segmentation (baseline)", icu});
  rows.push_back({"furniture learning", learn});
  rows.push_back({"normalise+tokenise+shingles+terms", extract});
  rows.push_back({"MinHash signing", sign});
  rows.push_back({"TF-IDF vectors", tfidf});
  rows.push_back({"feature stage (the four above)", feature_stage});
  rows.push_back({"  pipeline path: extract, interned", extract_interned});
  rows.push_back({"  pipeline path: MinHash from the store", sign_stored});
  rows.push_back({"  pipeline path: TF-IDF rows", tfidf_rows});
  rows.push_back({"feature stage, pipeline path", pipeline_stage});
  if (!features_only) {
    rows.push_back({"copy detection (LSH + verify)", dedup});
    rows.push_back({"clustering (copies, events, storylines)", cluster});
    rows.push_back({"end to end, 1 thread", end_one});
    rows.push_back(
        {"end to end, " + std::to_string(threads) + " threads", end_many});
  }

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
  std::printf(
      "feature stage / ICU segmentation rate: %.2fx (library string API), "
      "%.2fx (pipeline path)\n",
      icu / feature_stage, icu / pipeline_stage);
  std::printf("pipeline path / ICU, each repetition's pair:");
  for (double ratio : paired) std::printf(" %.2fx", ratio);
  std::printf("; median %.2fx\n", Median(paired));
  if (!features_only) {
    std::printf(
        "end to end %d threads / 1 thread: %.2fx; each repetition's "
        "pair:",
        threads, end_one / end_many);
    for (double ratio : threads_paired) std::printf(" %.2fx", ratio);
    std::printf("; median %.2fx\n", Median(threads_paired));
    std::printf("copy groups %u, events %u, storylines %u; ", groups,
                clustering.num_events, clustering.num_stories);
  }
  std::printf(
      "ICU words %zu, TF-IDF nonzeros %zu (pipeline path, two idf offsets: "
      "%zu)\n",
      icu_words, nonzeros, row_nonzeros);
  std::printf("peak RSS %.0f MB\n", PeakRssMb());
  return 0;
}
