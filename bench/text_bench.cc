// Benchmarks of the text path: JSON Lines ingest and tokenization, on
// synthetic English news-like text. Rates are reported as bytes/s and
// items (articles) per second.
#include <benchmark/benchmark.h>
#include <unicode/ubrk.h>
#include <unicode/utext.h>

#include <random>
#include <string>

#include "storycluster/features.h"
#include "storycluster/ingest.h"
#include "storycluster/synthetic.h"
#include "storycluster/text.h"

namespace {

// ~2.5 KB of English-like text built from a fixed vocabulary and seed.
std::string MakeArticleText(std::mt19937_64& rng) {
  static const char* kWords[] = {
      "the",       "port",           "authority",  "said",
      "on",        "Monday",         "that",       "talks",
      "with",      "union",          "leaders",    "would",
      "resume",    "next",           "week",       "after",
      "strike",    "halted",         "container",  "traffic",
      "officials", "told",           "Reuters",    "government",
      "minister",  "election",       "market",     "shares",
      "rose",      "percent",        "North",      "Korea",
      "Biden",     "administration", "diplomatic", "outreach",
      "missile",   "2,300",          "3.5",        "don’t",
      "“quoted”"};
  std::uniform_int_distribution<size_t> pick(0, std::size(kWords) - 1);
  std::string text;
  while (text.size() < 2500) {
    for (int i = 0; i < 18; ++i) {
      text += kWords[pick(rng)];
      text += ' ';
    }
    text += ".\n";
  }
  return text;
}

void BM_Tokenize(benchmark::State& state) {
  std::mt19937_64 rng(42);
  const std::string text = MakeArticleText(rng);
  auto tokenizer = storycluster::Tokenizer::Create();
  std::vector<storycluster::Token> tokens;
  for (auto _ : state) {
    tokens.clear();
    (*tokenizer)->TokenizeTo(text, 0, &tokens);
    benchmark::DoNotOptimize(tokens.data());
  }
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * text.size()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Tokenize);

void BM_IngestJsonl(benchmark::State& state) {
  std::mt19937_64 rng(7);
  std::string jsonl;
  const int articles = static_cast<int>(state.range(0));
  for (int i = 0; i < articles; ++i) {
    std::string text = MakeArticleText(rng);
    for (auto& c : text) {
      if (c == '\n') c = ' ';
    }
    jsonl += "{\"id\":\"a" + std::to_string(i) +
             "\",\"title\":\"T\",\"text\":\"" + text +
             "\",\"published\":\"2024-05-01T10:00:00Z\"}\n";
  }
  for (auto _ : state) {
    auto ingestor = storycluster::Ingestor::Create();
    (*ingestor)->AddJsonlBuffer(jsonl, "bench");
    benchmark::DoNotOptimize((*ingestor)->result().articles.data());
  }
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * jsonl.size()));
  state.SetItemsProcessed(state.iterations() * articles);
}
BENCHMARK(BM_IngestJsonl)->Arg(10000)->Unit(benchmark::kMillisecond);

// 2,000 generated news articles (bodies of ~2.5 KB, wire copies with
// furniture): the text the feature-stage benchmarks below run over.
const std::vector<storycluster::Article>& Corpus() {
  static const auto* corpus = [] {
    storycluster::SyntheticOptions options;
    options.articles = 2000;
    options.seed = 3;
    return new std::vector<storycluster::Article>(
        storycluster::GenerateCorpus(options).articles);
  }();
  return *corpus;
}

void SetCorpusCounters(benchmark::State& state) {
  int64_t bytes = 0;
  for (const auto& a : Corpus()) {
    bytes += static_cast<int64_t>(a.title.size() + a.text.size());
  }
  state.SetBytesProcessed(state.iterations() * bytes);
  state.SetItemsProcessed(state.iterations() *
                          static_cast<int64_t>(Corpus().size()));
}

// The baseline of the feature stage: bare ICU word segmentation (UTF-8
// UText, rule status read per segment) of the same titles and bodies.
void BM_IcuWordSegmentation(benchmark::State& state) {
  UErrorCode status = U_ZERO_ERROR;
  UBreakIterator* it = ubrk_open(UBRK_WORD, "", nullptr, 0, &status);
  size_t words = 0;
  for (auto _ : state) {
    for (const auto& a : Corpus()) {
      for (const std::string* text : {&a.title, &a.text}) {
        UText* ut = utext_openUTF8(nullptr, text->data(),
                                   static_cast<int64_t>(text->size()), &status);
        ubrk_setUText(it, ut, &status);
        for (int32_t end = ubrk_next(it); end != UBRK_DONE;
             end = ubrk_next(it)) {
          words += ubrk_getRuleStatus(it) != UBRK_WORD_NONE;
        }
        utext_close(ut);
      }
    }
  }
  benchmark::DoNotOptimize(words);
  ubrk_close(it);
  SetCorpusCounters(state);
}
BENCHMARK(BM_IcuWordSegmentation)->Unit(benchmark::kMillisecond);

// Tokenization as the feature stage runs it: flat TokenList storage, no
// stop-word flags, over the generated corpus's titles and bodies.
void BM_TokenizeCorpus(benchmark::State& state) {
  storycluster::TokenizerOptions options;
  options.keep_urls = false;
  options.mark_stop_words = false;
  auto tokenizer = storycluster::Tokenizer::Create(options);
  storycluster::TokenList tokens;
  size_t count = 0;
  for (auto _ : state) {
    for (const auto& a : Corpus()) {
      tokens.clear();
      (*tokenizer)->TokenizeTo(a.title, 0, &tokens);
      (*tokenizer)->TokenizeTo(a.text, 0, &tokens);
      count += tokens.size();
    }
  }
  benchmark::DoNotOptimize(count);
  SetCorpusCounters(state);
}
BENCHMARK(BM_TokenizeCorpus)->Unit(benchmark::kMillisecond);

void BM_BoilerplateClean(benchmark::State& state) {
  auto filter = storycluster::FurnitureFilter::Create({}, Corpus());
  size_t kept = 0;
  for (auto _ : state) {
    for (const auto& a : Corpus()) kept += (*filter)->Clean(a).text.size();
  }
  benchmark::DoNotOptimize(kept);
  SetCorpusCounters(state);
}
BENCHMARK(BM_BoilerplateClean)->Unit(benchmark::kMillisecond);

// Extraction per article: Arg 0 = shingles only (storycluster copies),
// 1 = shingles, terms and entities (storycluster cluster).
void BM_Extract(benchmark::State& state) {
  storycluster::FeatureOptions options;
  options.terms = state.range(0) != 0;
  auto extractor = storycluster::FeatureExtractor::Create(options, Corpus());
  size_t shingles = 0;
  for (auto _ : state) {
    for (const auto& a : Corpus()) {
      shingles += (*extractor)->Extract(a).shingles.size();
    }
  }
  benchmark::DoNotOptimize(shingles);
  SetCorpusCounters(state);
}
BENCHMARK(BM_Extract)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
