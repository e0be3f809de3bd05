// Kernel and signature benchmarks.
//
//   agreement/<isa>/k:<k>/l2    one query vs. a block that fits in L2,
//                               16 bytes past a cache line as glibc places
//                               a large vector; .../k:128/l2/aligned: the
//                               same block on a cache-line boundary
//   stream/<isa>                one query vs. 256 MiB of signatures (RAM),
//                               next to a plain memory-read loop over the
//                               same bytes; reports kernel and memory GB/s
//                               and their ratio
//   sparse_dot/<isa>            one dense query vs. 4096 sparse rows
//   sketch_agreement/<isa>/k:128/l2  the same over one-byte sketches
//   random_rows/{full,sketch}   one query vs. rows picked at random from a
//                               million (copy detection's access pattern)
//   parallel_for/{loop,new_thread}  a 2-thread loop of 256 trivial items
//                               (ParallelFor on oneTBB), and a thread start
//                               + join for comparison
//   scattered_dot/{every_term,shared_terms}  the candidate stages' dot
//                               product: one scattered 250-term row vs.
//                               4,096 rows of 250 terms (~8% shared),
//                               adding every product (the earlier form)
//                               and only the shared ones (ScatteredDot)
//   sign/k:<k>                  MinHash of 400-shingle sets (docs/s)
//   features_sign               cleaning + tokenizing + shingling + MinHash
//                               of generated 2.5 KB articles (docs/s, MB/s)
//   sort_keys/{std_sort,key_sort}/<n>  4,096 arrays of n term-row keys (a
//                               term index of 40,000 above a weight's bits)
//                               sorted by std::sort and by SortKeys
//                               (lib/common/key_sort.h); keys/s
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include "lib/5_events/candidates.h"
#include "lib/common/key_sort.h"
#include "lib/common/parallel.h"
#include "storycluster/copies.h"
#include "storycluster/features.h"
#include "storycluster/synthetic.h"

namespace {

using storycluster::KernelIsa;

std::vector<uint32_t> RandomValues(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint32_t> v(n);
  for (auto& x : v) x = static_cast<uint32_t>(rng() % 64);
  return v;
}

// `values` copied to an address `misalign` bytes past a 64-byte boundary
// (into `storage`).
absl::Span<const uint32_t> PlacedAt(const std::vector<uint32_t>& values,
                                    size_t misalign,
                                    std::vector<uint32_t>* storage) {
  storage->assign(values.size() + 32, 0);
  auto address = reinterpret_cast<uintptr_t>(storage->data());
  const size_t skip = ((64 - address % 64) % 64 + misalign) / sizeof(uint32_t);
  std::copy(values.begin(), values.end(), storage->begin() + skip);
  return absl::MakeConstSpan(storage->data() + skip, values.size());
}

// `misalign`: bytes past a 64-byte boundary where the rows start (a large
// std::vector from glibc's malloc starts 16 bytes past one).
void Agreement(benchmark::State& state, KernelIsa isa, size_t k, size_t n,
               size_t misalign = 16) {
  const std::vector<uint32_t> query = RandomValues(k, 1);
  std::vector<uint32_t> storage;
  const absl::Span<const uint32_t> block =
      PlacedAt(RandomValues(n * k, 2), misalign, &storage);
  std::vector<uint32_t> counts(n);
  for (auto _ : state) {
    storycluster::SignatureAgreementWith(isa, query, block, n,
                                         absl::MakeSpan(counts));
    benchmark::DoNotOptimize(counts.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * n * k * sizeof(uint32_t)));
  state.counters["pairs/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * n), benchmark::Counter::kIsRate);
}

void SketchAgreement(benchmark::State& state, KernelIsa isa, size_t k,
                     size_t n) {
  std::vector<uint8_t> query(k), block(n * k);
  const std::vector<uint32_t> q = RandomValues(k, 1),
                              b = RandomValues(n * k, 2);
  std::copy(q.begin(), q.end(), query.begin());
  std::copy(b.begin(), b.end(), block.begin());
  std::vector<uint32_t> counts(n);
  for (auto _ : state) {
    storycluster::SketchAgreementWith(isa, query, block, n,
                                      absl::MakeSpan(counts));
    benchmark::DoNotOptimize(counts.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  state.counters["pairs/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * n), benchmark::Counter::kIsRate);
}

// Copy detection's access pattern: one query against candidate rows picked
// at random from a million articles' signatures (512 MB of full values,
// 128 MB of one-byte sketches), one row per call. Memory-bound: the
// sketch reads 2 cache lines a candidate where the full row reads 8.
template <typename Value>
void RandomRows(benchmark::State& state) {
  const size_t k = 128, rows = size_t{1} << 20, picks = size_t{1} << 16;
  std::vector<Value> table(rows * k);
  std::mt19937_64 rng(5);
  for (auto& v : table) v = static_cast<Value>(rng() % 64);
  std::vector<uint32_t> pick(picks);
  for (auto& p : pick) p = static_cast<uint32_t>(rng() % rows);
  const std::vector<Value> query(table.begin(), table.begin() + k);
  uint32_t count = 0;
  uint64_t total = 0;
  for (auto _ : state) {
    for (uint32_t p : pick) {
      const absl::Span<const Value> row =
          absl::MakeConstSpan(table).subspan(size_t{p} * k, k);
      if constexpr (sizeof(Value) == 1) {
        storycluster::SketchAgreement(query, row, 1, absl::MakeSpan(&count, 1));
      } else {
        storycluster::SignatureAgreement(query, row, 1,
                                         absl::MakeSpan(&count, 1));
      }
      total += count;
    }
  }
  benchmark::DoNotOptimize(total);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * picks));
}

// One ParallelFor of 256 trivial items on 2 threads (copy detection runs
// a few such loops per block of 256 articles).
void ParallelForLoop(benchmark::State& state) {
  std::atomic<size_t> sum{0};
  for (auto _ : state) {
    storycluster::ParallelFor(
        256, 2, 64, [&](size_t begin, size_t end, int) { sum += end - begin; });
  }
  benchmark::DoNotOptimize(sum.load());
}

// What a loop would cost on a new thread: one started and joined.
void ParallelForNewThread(benchmark::State& state) {
  std::atomic<size_t> sum{0};
  for (auto _ : state) {
    std::thread worker([&] { sum += 128; });
    sum += 128;
    worker.join();
  }
  benchmark::DoNotOptimize(sum.load());
}

// A plain read of every 64-bit word (the compiler vectorises the sum); the
// yardstick for the streaming kernel.
uint64_t ReadAll(const std::vector<uint32_t>& data) {
  const auto* p = reinterpret_cast<const uint64_t*>(data.data());
  const size_t words = data.size() / 2;
  uint64_t sum = 0;
  for (size_t i = 0; i < words; ++i) sum += p[i];
  return sum;
}

void Stream(benchmark::State& state, KernelIsa isa) {
  const size_t k = 128;
  const size_t n = (size_t{256} << 20) / (k * sizeof(uint32_t));
  const std::vector<uint32_t> query = RandomValues(k, 3);
  const std::vector<uint32_t> block = RandomValues(n * k, 4);
  std::vector<uint32_t> counts(n);
  double kernel_seconds = 0, read_seconds = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    storycluster::SignatureAgreementWith(isa, query, block, n,
                                         absl::MakeSpan(counts));
    benchmark::DoNotOptimize(counts.data());
    auto t1 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(ReadAll(block));
    auto t2 = std::chrono::steady_clock::now();
    kernel_seconds += std::chrono::duration<double>(t1 - t0).count();
    read_seconds += std::chrono::duration<double>(t2 - t1).count();
  }
  const double bytes =
      static_cast<double>(state.iterations() * n * k * sizeof(uint32_t));
  state.counters["kernel_GB/s"] = bytes / kernel_seconds / 1e9;
  state.counters["memread_GB/s"] = bytes / read_seconds / 1e9;
  state.counters["kernel/memread"] = read_seconds / kernel_seconds;
  state.counters["pairs/s"] =
      static_cast<double>(state.iterations() * n) / kernel_seconds;
}

void SparseDot(benchmark::State& state, KernelIsa isa) {
  const uint32_t dim = 50000, rows = 4096;
  std::mt19937_64 rng(5);
  std::vector<float> dense(dim);
  for (auto& w : dense) w = static_cast<float>(rng() % 1000) / 1000.0f;
  std::vector<uint32_t> offsets = {0}, indices;
  std::vector<float> values;
  for (uint32_t r = 0; r < rows; ++r) {
    for (int j = 0; j < 150; ++j) {
      indices.push_back(static_cast<uint32_t>(rng() % dim));
      values.push_back(0.1f);
    }
    offsets.push_back(static_cast<uint32_t>(indices.size()));
  }
  const storycluster::SparseRows sparse{offsets, indices, values};
  std::vector<float> out(rows);
  for (auto _ : state) {
    storycluster::SparseDotBatchWith(isa, dense, sparse, absl::MakeSpan(out));
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * rows));
}

// The candidate stages' workload: an item of 250 terms scattered, and
// 4,096 candidate rows of 250 terms over a 100,000-term vocabulary, 20 of
// each row's terms taken from the item's.
struct ScatteredDotData {
  static constexpr uint32_t kDimension = 100000;
  static constexpr size_t kRows = 4096, kTerms = 250, kShared = 20;
  std::vector<uint32_t> item_indices;
  std::vector<float> item_values;
  std::vector<std::vector<uint32_t>> indices;
  std::vector<std::vector<float>> values;

  ScatteredDotData() {
    std::mt19937_64 rng(9);
    auto sorted_distinct = [&](std::vector<uint32_t> picked) {
      std::sort(picked.begin(), picked.end());
      picked.erase(std::unique(picked.begin(), picked.end()), picked.end());
      return picked;
    };
    std::vector<uint32_t> item;
    for (size_t t = 0; t < kTerms; ++t) item.push_back(rng() % kDimension);
    item_indices = sorted_distinct(item);
    for (size_t t = 0; t < item_indices.size(); ++t) {
      item_values.push_back(0.01f + 0.001f * static_cast<float>(rng() % 100));
    }
    for (size_t r = 0; r < kRows; ++r) {
      std::vector<uint32_t> row;
      for (size_t t = 0; t < kShared; ++t) {
        row.push_back(item_indices[rng() % item_indices.size()]);
      }
      for (size_t t = kShared; t < kTerms; ++t) {
        row.push_back(rng() % kDimension);
      }
      indices.push_back(sorted_distinct(row));
      values.emplace_back(indices.back().size(), 0.05f);
    }
  }
  storycluster::Row item() const { return {item_indices, item_values}; }
  storycluster::Row row(size_t r) const { return {indices[r], values[r]}; }
};

// The earlier form: every product added, a term the item lacks reading a
// zero kept past the end of the dense array.
float EveryTermDot(const std::vector<float>& dense,
                   const std::vector<uint64_t>& present, uint32_t zero,
                   storycluster::Row other) {
  float sum = 0.0f;
  for (size_t t = 0; t < other.indices.size(); ++t) {
    const uint32_t i = other.indices[t];
    const uint32_t at = (present[i >> 6] >> (i & 63)) & 1 ? i : zero;
    sum += dense[at] * other.values[t];
  }
  return sum;
}

void ScatteredDotEveryTerm(benchmark::State& state) {
  const ScatteredDotData data;
  const uint32_t dim = ScatteredDotData::kDimension;
  std::vector<float> dense(dim + 1, 0.0f);
  std::vector<uint64_t> present((dim + 63) / 64, 0);
  for (size_t t = 0; t < data.item_indices.size(); ++t) {
    const uint32_t i = data.item_indices[t];
    dense[i] = data.item_values[t];
    present[i >> 6] |= uint64_t{1} << (i & 63);
  }
  float total = 0;
  for (auto _ : state) {
    for (size_t r = 0; r < ScatteredDotData::kRows; ++r) {
      total += EveryTermDot(dense, present, dim, data.row(r));
    }
    benchmark::DoNotOptimize(total);
  }
  state.SetItemsProcessed(
      static_cast<int64_t>(state.iterations() * ScatteredDotData::kRows));
}

void ScatteredDotSharedTerms(benchmark::State& state) {
  const ScatteredDotData data;
  storycluster::ScatteredDot dot;
  dot.Set(data.item(), ScatteredDotData::kDimension);
  float total = 0;
  for (auto _ : state) {
    for (size_t r = 0; r < ScatteredDotData::kRows; ++r) {
      total += dot.Dot(data.row(r));
    }
    benchmark::DoNotOptimize(total);
  }
  state.SetItemsProcessed(
      static_cast<int64_t>(state.iterations() * ScatteredDotData::kRows));
}

void Sign(benchmark::State& state) {
  storycluster::MinHashOptions options;
  options.num_hashes = static_cast<uint32_t>(state.range(0));
  auto hasher = storycluster::MinHasher::Create(options);
  std::mt19937_64 rng(6);
  std::vector<uint64_t> shingles(400);
  for (auto& s : shingles) s = rng();
  std::vector<uint32_t> sig(options.num_hashes);
  for (auto _ : state) {
    (*hasher)->Sign(shingles, absl::MakeSpan(sig));
    benchmark::DoNotOptimize(sig.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(Sign)->Name("sign/k")->Arg(64)->Arg(128)->Arg(256);

void FeaturesSign(benchmark::State& state) {
  storycluster::SyntheticOptions options;
  options.articles = 2000;
  const auto corpus = storycluster::GenerateCorpus(options);
  storycluster::FeatureOptions feature_options;
  feature_options.terms = false;
  auto extractor =
      storycluster::FeatureExtractor::Create(feature_options, corpus.articles);
  auto hasher = storycluster::MinHasher::Create();
  std::vector<uint32_t> sig(128);
  size_t bytes = 0;
  for (const auto& a : corpus.articles) bytes += a.title.size() + a.text.size();
  for (auto _ : state) {
    for (const auto& a : corpus.articles) {
      (*hasher)->Sign((*extractor)->Extract(a).shingles, absl::MakeSpan(sig));
    }
    benchmark::DoNotOptimize(sig.data());
  }
  state.SetItemsProcessed(
      static_cast<int64_t>(state.iterations() * corpus.articles.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(FeaturesSign)->Name("features_sign")->Unit(benchmark::kMillisecond);

// Sorting arrays of term-row keys as VectorizeRows does; each iteration
// sorts fresh copies (the copy is outside the timing).
template <bool kKeySort>
void SortKeysBench(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  constexpr size_t kArrays = 4096;
  std::mt19937_64 rng(8);
  std::vector<uint64_t> input(n * kArrays);
  for (uint64_t& key : input) {
    key = (rng() % 40000) << 32 | (rng() & 0x3fc00000);
  }
  std::vector<uint64_t> keys;
  for (auto _ : state) {
    state.PauseTiming();
    keys = input;
    state.ResumeTiming();
    for (size_t a = 0; a < kArrays; ++a) {
      uint64_t* begin = keys.data() + a * n;
      if constexpr (kKeySort) {
        storycluster::SortKeys(begin, n);
      } else {
        std::sort(begin, begin + n);
      }
    }
    benchmark::DoNotOptimize(keys.data());
  }
  state.SetItemsProcessed(
      static_cast<int64_t>(state.iterations() * n * kArrays));
}
BENCHMARK(SortKeysBench<false>)
    ->Name("sort_keys/std_sort")
    ->Arg(40)
    ->Arg(76)
    ->Arg(450);
BENCHMARK(SortKeysBench<true>)
    ->Name("sort_keys/key_sort")
    ->Arg(40)
    ->Arg(76)
    ->Arg(450);

}  // namespace

int main(int argc, char** argv) {
  for (KernelIsa isa : storycluster::AvailableKernels()) {
    const std::string name(storycluster::KernelIsaName(isa));
    for (size_t k : {64, 128, 256}) {
      // ~256 KiB of candidates: resident in a 512 KiB-1 MiB L2.
      const size_t n = (size_t{256} << 10) / (k * sizeof(uint32_t));
      benchmark::RegisterBenchmark(
          ("agreement/" + name + "/k:" + std::to_string(k) + "/l2").c_str(),
          [=](benchmark::State& s) { Agreement(s, isa, k, n); });
    }
    benchmark::RegisterBenchmark(
        ("agreement/" + name + "/k:128/l2/aligned").c_str(),
        [=](benchmark::State& s) {
          Agreement(s, isa, 128, (size_t{256} << 10) / 512, 0);
        });
    benchmark::RegisterBenchmark(
        ("sketch_agreement/" + name + "/k:128/l2").c_str(),
        [=](benchmark::State& s) {
          SketchAgreement(s, isa, 128, (size_t{256} << 10) / 128);
        });
    benchmark::RegisterBenchmark(("stream/" + name).c_str(),
                                 [=](benchmark::State& s) { Stream(s, isa); })
        ->Unit(benchmark::kMillisecond)
        ->Iterations(5);
    benchmark::RegisterBenchmark(
        ("sparse_dot/" + name).c_str(),
        [=](benchmark::State& s) { SparseDot(s, isa); });
  }
  benchmark::RegisterBenchmark("parallel_for/loop", ParallelForLoop);
  benchmark::RegisterBenchmark("parallel_for/new_thread", ParallelForNewThread);
  benchmark::RegisterBenchmark("random_rows/full", RandomRows<uint32_t>);
  benchmark::RegisterBenchmark("random_rows/sketch", RandomRows<uint8_t>);
  benchmark::RegisterBenchmark("scattered_dot/every_term",
                               ScatteredDotEveryTerm);
  benchmark::RegisterBenchmark("scattered_dot/shared_terms",
                               ScatteredDotSharedTerms);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
