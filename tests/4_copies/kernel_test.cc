// Differential tests: every available kernel implementation against the
// scalar reference over awkward lengths; exact for agreement counts, a
// relative 1e-5 for float dot products.
#include <catch2/catch.hpp>
#include <limits>
#include <random>

#include "storycluster/copies.h"

namespace storycluster {
namespace {

const size_t kLengths[] = {1,  2,  3,  7,  8,  9,   15,  16,  17,  31,
                           32, 33, 63, 64, 65, 127, 128, 129, 256, 257};

TEST_CASE("kernels: the scalar reference is always available and first") {
  const auto available = AvailableKernels();
  REQUIRE_FALSE(available.empty());
  CHECK(available.front() == KernelIsa::kScalar);
  bool active_listed = false;
  for (KernelIsa isa : available) active_listed |= isa == ActiveKernel();
  CHECK(active_listed);
  for (KernelIsa isa : available) {
    INFO("available: " << KernelIsaName(isa));
    CHECK_FALSE(KernelIsaName(isa).empty());
  }
}

// Every available implementation of an agreement kernel (`with(isa, query,
// block, n, counts)`) against the scalar one, and the scalar one against the
// definition, over awkward lengths. Values come from a small alphabet (many
// matches) plus the type's largest value (equality must not depend on sign).
template <typename Value, typename With>
void CheckAgreementKernel(uint32_t seed, With with) {
  std::mt19937 rng(seed);
  auto value = [&] {
    const uint32_t r = rng() % 5;
    return r == 4 ? std::numeric_limits<Value>::max() : static_cast<Value>(r);
  };
  for (size_t k : kLengths) {
    for (size_t n : {size_t{1}, size_t{3}, size_t{4}, size_t{5}, size_t{37}}) {
      std::vector<Value> query(k);
      for (auto& v : query) v = value();
      std::vector<Value> block(n * k);
      for (size_t i = 0; i < block.size(); ++i) {
        // Row i agrees with the query with probability ~ i / n.
        block[i] = (rng() % n) < (i / k) ? query[i % k] : value();
      }
      std::vector<uint32_t> expected(n), got(n);
      with(KernelIsa::kScalar, query, block, n, absl::MakeSpan(expected));
      for (size_t i = 0; i < n; ++i) {
        uint32_t count = 0;
        for (size_t j = 0; j < k; ++j) count += block[i * k + j] == query[j];
        REQUIRE(expected[i] == count);
      }
      for (KernelIsa isa : AvailableKernels()) {
        INFO(KernelIsaName(isa) << " k=" << k << " n=" << n);
        std::fill(got.begin(), got.end(), 0xdeadbeef);
        with(isa, query, block, n, absl::MakeSpan(got));
        CHECK(got == expected);
      }
    }
  }
}

TEST_CASE("kernels: signature agreement equals the scalar reference") {
  CheckAgreementKernel<uint32_t>(
      1234, [](KernelIsa isa, const std::vector<uint32_t>& query,
               const std::vector<uint32_t>& block, size_t n,
               absl::Span<uint32_t> counts) {
        SignatureAgreementWith(isa, query, block, n, counts);
      });
}

TEST_CASE("kernels: extreme values compare as unsigned equality") {
  const std::vector<uint32_t> query = {0, 0xFFFFFFFFu, 0x80000000u, 7, 0,
                                       0, 0,           0,           0, 1};
  std::vector<uint32_t> block = query;
  block[3] = 8;
  for (KernelIsa isa : AvailableKernels()) {
    uint32_t count = 0;
    SignatureAgreementWith(isa, query, block, 1, absl::MakeSpan(&count, 1));
    CHECK(count == 9);
  }
}

TEST_CASE("kernels: sketch agreement equals the scalar reference") {
  CheckAgreementKernel<uint8_t>(
      4321, [](KernelIsa isa, const std::vector<uint8_t>& query,
               const std::vector<uint8_t>& block, size_t n,
               absl::Span<uint32_t> counts) {
        SketchAgreementWith(isa, query, block, n, counts);
      });
}

TEST_CASE("kernels: a sketch count is never below the full count") {
  // Sketches are the low bytes of the full values: equal values give equal
  // bytes, and unequal values may too (here 0x100 vs 0x200).
  std::mt19937 rng(7);
  const size_t k = 128, n = 50;
  std::vector<uint32_t> query(k), block(n * k);
  for (auto& v : query) v = rng();
  for (size_t i = 0; i < block.size(); ++i) {
    const uint32_t r = rng();
    block[i] = r % 3 == 0   ? query[i % k]
               : r % 3 == 1 ? (query[i % k] & 0xFFu) | (rng() << 8)
                            : rng();
  }
  auto low_bytes = [](const std::vector<uint32_t>& v) {
    std::vector<uint8_t> out(v.size());
    for (size_t i = 0; i < v.size(); ++i) out[i] = static_cast<uint8_t>(v[i]);
    return out;
  };
  const std::vector<uint8_t> query_sketch = low_bytes(query);
  const std::vector<uint8_t> block_sketch = low_bytes(block);
  std::vector<uint32_t> full(n), sketch(n);
  SignatureAgreement(query, block, n, absl::MakeSpan(full));
  SketchAgreement(query_sketch, block_sketch, n, absl::MakeSpan(sketch));
  size_t above = 0;
  for (size_t i = 0; i < n; ++i) {
    INFO("row " << i);
    CHECK(sketch[i] >= full[i]);
    above += sketch[i] > full[i];
  }
  CHECK(above > 0);  // the low-byte collisions were counted
}

TEST_CASE("kernels: sparse dot products match the scalar reference") {
  std::mt19937 rng(99);
  std::uniform_real_distribution<float> weight(-1.0f, 1.0f);
  const uint32_t dim = 1000;
  std::vector<float> dense(dim);
  for (auto& w : dense) w = weight(rng);
  std::vector<uint32_t> offsets = {0}, indices;
  std::vector<float> values;
  for (size_t len : kLengths) {
    for (size_t j = 0; j < len; ++j) {
      indices.push_back(rng() % dim);
      values.push_back(weight(rng));
    }
    offsets.push_back(static_cast<uint32_t>(indices.size()));
  }
  offsets.push_back(static_cast<uint32_t>(indices.size()));  // empty row
  const SparseRows rows{offsets, indices, values};
  const size_t n = offsets.size() - 1;
  std::vector<float> expected(n), got(n);
  SparseDotBatchWith(KernelIsa::kScalar, dense, rows, absl::MakeSpan(expected));
  CHECK(expected.back() == 0.0f);
  for (KernelIsa isa : AvailableKernels()) {
    SparseDotBatchWith(isa, dense, rows, absl::MakeSpan(got));
    for (size_t i = 0; i < n; ++i) {
      INFO(KernelIsaName(isa) << " row " << i);
      CHECK(got[i] == Approx(expected[i]).epsilon(1e-5).margin(1e-6));
    }
  }
  // The dispatched entry points agree with their named implementation.
  SparseDotBatch(dense, rows, absl::MakeSpan(got));
  std::vector<float> active(n);
  SparseDotBatchWith(ActiveKernel(), dense, rows, absl::MakeSpan(active));
  CHECK(got == active);
}

}  // namespace
}  // namespace storycluster
