// The storycluster command-line tool: `cluster` runs the whole pipeline,
// `eval` scores a prediction against gold labels. Exit codes: 0 success,
// 1 success but some inputs were rejected, 2 usage error, 3 failure.
#include <malloc.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "storycluster/storycluster.h"
#include "tools/storycluster/cli_common.h"
#include "tools/storycluster/index_commands.h"

namespace {

using namespace storycluster_cli;  // NOLINT: the tool's own helpers

// --temp-dir, else $TMPDIR, else /tmp.
std::string TempDirectory(const std::string& flag) {
  if (!flag.empty()) return flag;
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

// Where the shingle sets of a streamed run are kept: --temp-dir and
// --shingle-memory.
struct ShingleArgs {
  std::string temp_dir;  // default $TMPDIR or /tmp
  size_t memory_mib =
      storycluster::PipelineOptions().shingle_memory_bytes >> 20;

  void Register(CLI::App* cmd) {
    cmd->add_option("--temp-dir", temp_dir,
                    "directory for the temporary file of shingle sets "
                    "(removed when the run ends; default $TMPDIR or /tmp)");
    cmd->add_option("--shingle-memory", memory_mib,
                    "MiB of shingle sets (about 3 KB an article) kept in "
                    "memory; past that they all move to the temporary file "
                    "(0: straight to the file)")
        ->capture_default_str()
        ->check(CLI::Range(size_t{0}, size_t{1} << 24));
  }
  void Apply(storycluster::PipelineOptions* options) const {
    options->temp_directory = TempDirectory(temp_dir);
    options->shingle_memory_bytes = memory_mib << 20;
  }
};

// Exit code of a failed run: the caller's mistake (missing or unreadable
// input, bad option) or a failure while running.
int RunFailureCode(const absl::Status& status) {
  return absl::IsNotFound(status) || absl::IsPermissionDenied(status) ||
                 absl::IsInvalidArgument(status)
             ? kExitUsage
             : kExitFailure;
}

// --stage-times: each stage's wall time, CPU time (all threads) and memory
// on stderr.
void PrintStages(const std::vector<storycluster::StageTime>& stages) {
  for (const auto& stage : stages) {
    std::cerr << "stage " << stage.stage << ": " << stage.seconds << " s, CPU "
              << stage.cpu_seconds << " s, RSS " << (stage.rss_bytes >> 20)
              << " MB, peak " << (stage.peak_rss_bytes >> 20) << " MB\n";
  }
}

// --copy-containment and the common-wording rule's knobs, on both commands
// that find copies (CopyOptions, docs/parameters.md).
void AddCopyRuleOptions(CLI::App* cmd, storycluster::CopyOptions* copies) {
  cmd->add_option("--copy-containment", copies->containment,
                  "share of an article's shingles found in an earlier one "
                  "that makes it a copy too (cut and edited copies); 0 turns "
                  "it off")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--copy-common-articles", copies->common_articles,
                  "a shingle in more articles than this is common wording "
                  "(a template's), and an article with some is judged on its "
                  "own wording; 0 turns the rule off")
      ->capture_default_str()
      ->check(CLI::Range(0, 254));
  cmd->add_option("--copy-own-share", copies->distinct_containment,
                  "share of an article's own (not common) shingles that must "
                  "be in the earlier one")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--copy-min-own", copies->min_distinct_shared,
                  "own shingles that must be shared, unless nearly all of a "
                  "few are (a reprint)")
      ->capture_default_str();
}

// True when no input is standard input, so the inputs can be read twice.
bool CanStream(const InputArgs& in) {
  return std::find(in.inputs.begin(), in.inputs.end(), "-") == in.inputs.end();
}

// --event-window-days: 0 keeps the default (no window).
void ApplyEventWindow(double days, storycluster::ClusterOptions* options) {
  if (days > 0) options->events.window = absl::Seconds(days * 24 * 3600);
}

struct ClusterArgs {
  InputArgs in;
  storycluster::PipelineOptions pipeline;
  double event_window_days = 0;  // 0: no window
  std::string pair_model;  // pair model file to use instead of the default
  std::string df_table;    // background document frequencies to load
  std::string save_df;     // where to save this corpus's frequencies
  bool stages = false;     // print each stage's wall time
  ShingleArgs shingles;
};

// Files and directories are streamed in two passes (ClusterPaths) so that
// texts are not held; standard input is read once into memory.
absl::StatusOr<storycluster::PathsClustering> ClusterInputs(
    const ClusterArgs& args, const storycluster::IngestOptions& ingest_options,
    const storycluster::PipelineOptions& options,
    storycluster::DocumentFrequencies* df_out) {
  if (CanStream(args.in)) {
    return storycluster::ClusterPaths(args.in.inputs, ingest_options, options,
                                      df_out);
  }
  const absl::Time start = absl::Now();
  auto ingest = storycluster::IngestPaths(args.in.inputs, ingest_options);
  if (!ingest.ok()) return ingest.status();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  auto clustering =
      storycluster::RunPipeline(ingest->articles, options, df_out);
  if (!clustering.ok()) return clustering.status();
  clustering->stages.insert(clustering->stages.begin(),
                            storycluster::MeasureStage("ingest", seconds));
  return storycluster::PathsClustering{std::move(ingest).value(),
                                       std::move(clustering).value()};
}

int RunCluster(const ClusterArgs& args) {
  int code = CheckOutputs({args.in.output, args.in.rejects, args.save_df});
  if (code != kExitOk) return code;
  auto ingest_options = IngestOptionsOf(args.in, &code);
  if (!ingest_options) return code;
  storycluster::PipelineOptions options = args.pipeline;
  args.shingles.Apply(&options);
  options.threads = args.in.threads;
  ProgressLine progress(args.in.quiet);
  options.progress = std::ref(progress);
  ApplyEventWindow(args.event_window_days, &options.cluster);
  if (!args.pair_model.empty()) {
    auto model = storycluster::PairModel::Load(args.pair_model);
    if (!model.ok()) return Fail(model.status(), kExitUsage);
    options.cluster.events.pair_model =
        std::make_shared<const storycluster::PairModel>(*std::move(model));
  }
  if (!args.df_table.empty()) {
    auto table = storycluster::DocumentFrequencies::Load(args.df_table);
    if (!table.ok()) return Fail(table.status(), kExitUsage);
    options.cluster.background_df =
        std::make_shared<const storycluster::DocumentFrequencies>(
            *std::move(table));
  }
  storycluster::DocumentFrequencies corpus_df;
  auto run = ClusterInputs(args, *ingest_options, options,
                           args.save_df.empty() ? nullptr : &corpus_df);
  if (!run.ok()) return Fail(run.status(), RunFailureCode(run.status()));
  const storycluster::IngestResult* ingest = &run->ingest;
  const storycluster::Clustering* clustering = &run->clustering;
  if (!args.save_df.empty()) {
    if (absl::Status s = corpus_df.Save(args.save_df); !s.ok()) return Fail(s);
  }
  if (args.stages) PrintStages(clustering->stages);
  const std::string text = storycluster::FormatClustering(
      *ingest, *clustering, *storycluster::ParseOutputFormat(args.in.format));
  return Finish(args.in, *ingest, text,
                absl::StrCat(clustering->num_copy_groups, " copy groups, ",
                             clustering->num_events, " events, ",
                             clustering->num_stories, " storylines"));
}

struct CopiesArgs {
  InputArgs in;
  storycluster::CopyOptions copies;
  bool stages = false;  // print each stage's wall time
  ShingleArgs shingles;
};

// Files and directories: streamed in two passes, texts not held.
int RunCopiesStreamed(const CopiesArgs& args) {
  int code = kExitOk;
  auto ingest_options = IngestOptionsOf(args.in, &code);
  if (!ingest_options) return code;
  storycluster::PipelineOptions options;
  options.features.terms = false;
  options.cluster.copies = args.copies;
  options.threads = args.in.threads;
  args.shingles.Apply(&options);
  ProgressLine progress(args.in.quiet);
  options.progress = std::ref(progress);
  auto run = storycluster::FindCopyGroupsInPaths(args.in.inputs,
                                                 *ingest_options, options);
  if (!run.ok()) return Fail(run.status(), RunFailureCode(run.status()));
  if (args.stages) PrintStages(run->stages);
  const std::string text = storycluster::FormatCopyGroups(
      run->ingest, run->groups,
      *storycluster::ParseOutputFormat(args.in.format));
  return Finish(args.in, run->ingest, text,
                absl::StrCat(run->groups.num_groups, " copy groups"));
}

int RunCopies(const CopiesArgs& args) {
  if (int code = CheckOutputs({args.in.output, args.in.rejects});
      code != kExitOk) {
    return code;
  }
  if (CanStream(args.in)) return RunCopiesStreamed(args);
  // Standard input: read once and held in memory.
  std::vector<storycluster::StageTime> stages;
  absl::Time last = absl::Now();
  double last_cpu = storycluster::ProcessCpuSeconds();
  auto mark = [&](std::string stage) {
    const absl::Time now = absl::Now();
    const double cpu = storycluster::ProcessCpuSeconds();
    stages.push_back(storycluster::MeasureStage(
        std::move(stage), absl::ToDoubleSeconds(now - last), cpu - last_cpu));
    last = now;
    last_cpu = cpu;
  };
  int code = kExitOk;
  auto ingest = Ingest(args.in, &code);
  if (!ingest) return code;
  mark("ingest");
  storycluster::FeatureOptions feature_options;
  feature_options.terms = false;  // shingles only: no TF-IDF on this path
  ProgressLine progress(args.in.quiet);
  auto features = storycluster::ExtractFeatures(
      ingest->articles, feature_options, args.in.threads, std::ref(progress));
  if (!features.ok()) return Fail(features.status());
  mark("features");
  std::vector<std::optional<absl::Time>> times;
  times.reserve(ingest->articles.size());
  for (const auto& article : ingest->articles) {
    times.push_back(article.published);
  }
  storycluster::CopyOptions copy_options = args.copies;
  copy_options.threads = args.in.threads;
  storycluster::CorpusFeatures corpus;
  for (storycluster::ArticleFeatures& f : *features) {
    if (absl::Status s = corpus.Append(f); !s.ok()) return Fail(s);
    f = storycluster::ArticleFeatures();  // its shingles are in the corpus
  }
  auto groups = storycluster::FindCopyGroups(corpus, times, copy_options);
  if (!groups.ok()) return Fail(groups.status(), kExitUsage);
  mark("copies");
  if (args.stages) PrintStages(stages);
  const std::string text = storycluster::FormatCopyGroups(
      *ingest, *groups, *storycluster::ParseOutputFormat(args.in.format));
  return Finish(args.in, *ingest, text,
                absl::StrCat(groups->num_groups, " copy groups"));
}

struct GenerateArgs {
  storycluster::SyntheticOptions options;
  std::string kind = "news";
  std::string output = "-";
  std::string labels;
};

int RunGenerate(GenerateArgs args) {
  if (int code = CheckOutputs({args.output, args.labels}); code != kExitOk) {
    return code;
  }
  using storycluster::SyntheticKind;
  args.options.kind = args.kind == "template" ? SyntheticKind::kTemplate
                      : args.kind == "edited" ? SyntheticKind::kEdited
                      : args.kind == "reuse"  ? SyntheticKind::kHeavyReuse
                                              : SyntheticKind::kNews;
  const storycluster::SyntheticCorpus corpus =
      storycluster::GenerateCorpus(args.options);
  if (absl::Status s = storycluster::WriteOutputFile(
          args.output, storycluster::CorpusJsonl(corpus));
      !s.ok()) {
    return Fail(s);
  }
  if (!args.labels.empty()) {
    if (absl::Status s = storycluster::WriteOutputFile(
            args.labels, storycluster::CorpusLabelsTsv(corpus));
        !s.ok()) {
      return Fail(s);
    }
  }
  return kExitOk;
}

struct TrainArgs {
  // Gold files in command-line order, each with what it labels.
  std::vector<std::pair<std::string, storycluster::TrainingCorpus::Labels>>
      gold;
  std::vector<std::string> event_gold, storyline_gold, inputs;
  const CLI::Option* event_gold_option = nullptr;
  const CLI::Option* storyline_gold_option = nullptr;
  std::string output = "-";
  double l2 = 1e-3;
  double event_window_days = 0;
  int threads = 0;
  bool quiet = false;
};

// Fits a pair model on labeled corpora: the i-th input with the i-th
// --gold file.
int RunTrain(const TrainArgs& args) {
  if (int code = CheckOutputs({args.output}); code != kExitOk) return code;
  if (args.gold.size() != args.inputs.size()) {
    return Fail(
        absl::InvalidArgumentError(absl::StrCat(
            "give one --gold or --storyline-gold file per input: ",
            args.gold.size(), " gold files, ", args.inputs.size(), " inputs")),
        kExitUsage);
  }
  std::vector<storycluster::TrainingCorpus> corpora;
  for (size_t i = 0; i < args.inputs.size(); ++i) {
    corpora.push_back(
        {{args.inputs[i]}, args.gold[i].first, args.gold[i].second});
  }
  storycluster::IngestOptions ingest;
  ingest.threads = args.threads;
  storycluster::PipelineOptions options;
  options.threads = args.threads;
  ApplyEventWindow(args.event_window_days, &options.cluster);
  storycluster::TrainingReport report;
  auto model =
      storycluster::TrainPairModel(corpora, ingest, options, args.l2, &report);
  if (!model.ok()) return Fail(model.status(), RunFailureCode(model.status()));
  if (!args.quiet) {
    for (size_t i = 0; i < report.corpora.size(); ++i) {
      const auto& c = report.corpora[i];
      const bool storylines = args.gold[i].second ==
                              storycluster::TrainingCorpus::Labels::kStorylines;
      std::cerr << args.inputs[i] << ": " << c.articles << " articles, "
                << c.pairs << " labeled candidate pairs (" << c.same
                << (storylines ? " in one storyline, left out"
                               : " in one event")
                << "), " << c.unlabeled << " unlabeled\n";
    }
  }
  if (absl::Status s = model->Save(args.output); !s.ok()) return Fail(s);
  return kExitOk;
}

struct EvalArgs {
  std::string gold, pred, level = "event", pred_column;
};

int RunEval(const EvalArgs& args) {
  storycluster::EvalOptions options;
  options.column = args.level;
  options.pred_column = args.pred_column;
  auto scores = storycluster::EvaluateFiles(args.gold, args.pred, options);
  if (!scores.ok()) return Fail(scores.status(), kExitUsage);
  std::cout << storycluster::ScoresToJson(*scores) << "\n";
  return kExitOk;
}

CLI::App* AddCluster(CLI::App& app, ClusterArgs* cluster) {
  CLI::App* cmd_cluster = app.add_subcommand(
      "cluster",
      "Run the whole pipeline (copies, events, storylines) over files, "
      "directories or '-' (JSON Lines on stdin).");
  cluster->in.Register(cmd_cluster);
  cmd_cluster
      ->add_option("--copy-jaccard,--dup-jaccard",
                   cluster->pipeline.cluster.copies.threshold,
                   "shingle Jaccard for a copy")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 1.0));
  AddCopyRuleOptions(cmd_cluster, &cluster->pipeline.cluster.copies);
  cmd_cluster
      ->add_option("--max-bucket-candidates",
                   cluster->pipeline.cluster.copies.max_bucket_candidates,
                   "earlier originals compared per LSH bucket, the latest; 0 "
                   "for no limit")
      ->capture_default_str();
  cmd_cluster
      ->add_option("--event-similarity",
                   cluster->pipeline.cluster.events.similarity,
                   "average pair-model probability to join an event")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd_cluster
      ->add_option("--event-cohesion",
                   cluster->pipeline.cluster.events.cohesion_ratio,
                   "two multi-article clusters join an event only if their "
                   "linkage is at least this times the smaller of their "
                   "cohesions; 0 turns this off")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd_cluster
      ->add_option("--shared-neighbours",
                   cluster->pipeline.cluster.events.shared_neighbours,
                   "nearest neighbours per article whose overlap scales "
                   "article similarity; 0 turns this off")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000));
  cmd_cluster
      ->add_option("--max-candidates", cluster->pipeline.cluster.max_candidates,
                   "earlier articles (and events) compared per item: those "
                   "sharing the most strong terms")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd_cluster
      ->add_option("--max-edges", cluster->pipeline.cluster.events.max_edges,
                   "strongest edges kept per article to earlier articles")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd_cluster
      ->add_option("--story-max-edges",
                   cluster->pipeline.cluster.storylines.max_edges,
                   "strongest edges kept per event to earlier events")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd_cluster
      ->add_option("--story-similarity",
                   cluster->pipeline.cluster.storylines.similarity,
                   "TF-IDF cosine to join a storyline")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd_cluster
      ->add_option("--event-window-days", cluster->event_window_days,
                   "max days between articles of one event (0: no limit; "
                   "within it, time "
                   "is evidence for the pair model)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);

  cmd_cluster->add_option(
      "--pair-model", cluster->pair_model,
      "event pair model file (from storycluster train) instead of the "
      "built-in one");
  cmd_cluster->add_option(
      "--df", cluster->df_table,
      "background document-frequency table (from --save-df) added to this "
      "corpus's counts");
  cmd_cluster->add_option(
      "--save-df", cluster->save_df,
      "write this corpus's document frequencies (versioned TSV) to FILE");

  cluster->shingles.Register(cmd_cluster);
  cmd_cluster->add_flag("--stage-times", cluster->stages,
                        "print each pipeline stage's wall time on stderr");

  return cmd_cluster;
}

CLI::App* AddCopies(CLI::App& app, CopiesArgs* copies) {
  CLI::App* cmd_copies = app.add_subcommand(
      "copies",
      "Find copy groups only (MinHash + LSH + verification; no TF-IDF). "
      "TSV output: id, dup (the copy group). Alias: dedup (its first name).");
  // The subcommand's first name, kept working for existing scripts.
  cmd_copies->alias("dedup");
  copies->in.Register(cmd_copies);
  cmd_copies
      ->add_option("--copy-jaccard,--threshold", copies->copies.threshold,
                   "shingle Jaccard at or above which an article is a copy")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 1.0));
  AddCopyRuleOptions(cmd_copies, &copies->copies);
  cmd_copies
      ->add_option("--num-hashes", copies->copies.minhash.num_hashes,
                   "MinHash signature length")
      ->capture_default_str()
      ->check(CLI::Range(8, 4096));
  copies->shingles.Register(cmd_copies);
  cmd_copies->add_flag("--stage-times", copies->stages,
                       "print each stage's wall time on stderr");
  cmd_copies
      ->add_option("--max-bucket-candidates",
                   copies->copies.max_bucket_candidates,
                   "earlier originals compared per LSH bucket, the latest; 0 "
                   "for no limit")
      ->capture_default_str();

  return cmd_copies;
}

CLI::App* AddGenerate(CLI::App& app, GenerateArgs* generate) {
  CLI::App* cmd_generate = app.add_subcommand(
      "generate",
      "Write a synthetic corpus with known copy groups as JSON Lines (and "
      "its gold labels), for benchmarks and evaluation.");
  cmd_generate
      ->add_option("--articles", generate->options.articles,
                   "number of articles")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd_generate->add_option("--seed", generate->options.seed, "random seed")
      ->capture_default_str();
  cmd_generate
      ->add_option("--kind", generate->kind,
                   "news (varied articles), template (daily market reports "
                   "sharing most words), edited (the edits of real reprints "
                   "and hard negatives, docs/synthetic.md) or reuse (edited, "
                   "with sentences from a small pool)")
      ->capture_default_str()
      ->check(CLI::IsMember({"news", "template", "edited", "reuse"}));
  cmd_generate
      ->add_option("--copy-fraction", generate->options.copy_fraction,
                   "fraction of articles that are copies")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd_generate
      ->add_option("-o,--output", generate->output,
                   "corpus file (JSON Lines), - for stdout")
      ->capture_default_str();
  cmd_generate->add_option("--labels", generate->labels,
                           "also write gold labels (id, event, story = copy "
                           "group) to this TSV file");

  return cmd_generate;
}

CLI::App* AddTrain(CLI::App& app, TrainArgs* train) {
  CLI::App* cmd_train = app.add_subcommand(
      "train",
      "Fit the event pair model on labeled corpora (the i-th input with "
      "the i-th --gold) and write the model file.");
  cmd_train
      ->add_option("inputs", train->inputs,
                   "JSONL/.txt/.md files or "
                   "directories, one per --gold")
      ->required();
  train->event_gold_option =
      cmd_train
          ->add_option("--gold", train->event_gold,
                       "gold labels TSV (id, event, ...) of events; repeat, "
                       "one per input")
          ->expected(1)
          ->allow_extra_args(false)
          ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  train->storyline_gold_option =
      cmd_train
          ->add_option("--storyline-gold", train->storyline_gold,
                       "gold labels TSV (id, story, ...) whose clusters are "
                       "storylines: only pairs across them are used, as "
                       "different events; in place of --gold for its input")
          ->expected(1)
          ->allow_extra_args(false)
          ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd_train
      ->add_option("-o,--output", train->output, "model file, - for stdout")
      ->capture_default_str();
  cmd_train->add_option("--l2", train->l2, "L2 penalty on the weights")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6));
  cmd_train
      ->add_option("--event-window-days", train->event_window_days,
                   "as for cluster (0: no limit)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd_train
      ->add_option("-j,--threads", train->threads,
                   "worker threads, 0 for all cores")
      ->capture_default_str()
      ->check(CLI::Range(0, 1024));
  cmd_train->add_flag("-q,--quiet", train->quiet, "no per-corpus summary");

  return cmd_train;
}

CLI::App* AddEval(CLI::App& app, EvalArgs* eval) {
  CLI::App* cmd_eval = app.add_subcommand(
      "eval",
      "Score a predicted TSV against gold labels: BCubed and pairwise "
      "P/R/F1 and ARI, printed as one JSON line.");
  cmd_eval
      ->add_option("--gold", eval->gold, "gold labels TSV (id, event, story)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd_eval->add_option("--pred", eval->pred, "predicted TSV (id first)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd_eval->add_option("--level", eval->level, "event or story")
      ->capture_default_str()
      ->check(CLI::IsMember({"event", "story"}));
  cmd_eval->add_option("--pred-column", eval->pred_column,
                       "prediction column (0-based index or header name); "
                       "default: the column named like --level, else 1");

  return cmd_eval;
}

// The i-th gold option of `train`, of either kind, goes with its i-th
// input: the two lists merged in command-line order.
void OrderGoldFiles(const CLI::App& cmd, TrainArgs* train) {
  size_t next_event = 0, next_storyline = 0;
  for (const CLI::Option* o : cmd.parse_order()) {
    if (o == train->event_gold_option) {
      train->gold.emplace_back(train->event_gold.at(next_event++),
                               storycluster::TrainingCorpus::Labels::kEvents);
    } else if (o == train->storyline_gold_option) {
      train->gold.emplace_back(
          train->storyline_gold.at(next_storyline++),
          storycluster::TrainingCorpus::Labels::kStorylines);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Large buffers (the feature arrays grow to gigabytes on big inputs) are
  // mapped directly and returned to the system when freed, instead of
  // glibc raising its threshold and keeping freed buffers in the heap.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  CLI::App app{
      "storycluster: finds copies of the same news article, groups reports "
      "of the same event, and links events into storylines.\n"
      "Exit status: 0 ok, 1 ok but some input was rejected, 2 usage error, "
      "3 failure."};
  app.require_subcommand(1);
  ClusterArgs cluster;
  CopiesArgs copies;
  GenerateArgs generate;
  TrainArgs train;
  EvalArgs eval;
  CLI::App* cmd_cluster = AddCluster(app, &cluster);
  CLI::App* cmd_copies = AddCopies(app, &copies);
  CLI::App* cmd_generate = AddGenerate(app, &generate);
  CLI::App* cmd_train = AddTrain(app, &train);
  CLI::App* cmd_eval = AddEval(app, &eval);
  IndexArgs index;
  AddIndexCommands(app, &index);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (cmd_cluster->parsed()) return RunCluster(cluster);
  if (std::optional<int> code = RunIndexCommands(index)) return *code;
  if (cmd_copies->parsed()) {
    if (copies.copies.candidate_margin >= copies.copies.threshold) {
      copies.copies.candidate_margin = copies.copies.threshold / 2;
    }
    return RunCopies(copies);
  }
  if (cmd_eval->parsed()) return RunEval(eval);
  if (cmd_train->parsed()) {
    OrderGoldFiles(*cmd_train, &train);
    return RunTrain(train);
  }
  if (cmd_generate->parsed()) return RunGenerate(generate);
  return kExitUsage;
}
