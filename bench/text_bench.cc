// Benchmarks of the text path: JSON Lines ingest and tokenization, on
// synthetic English news-like text. Rates are reported as bytes/s and
// items (articles) per second.
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "storycluster/ingest.h"
#include "storycluster/tokenize.h"

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

}  // namespace

BENCHMARK_MAIN();
