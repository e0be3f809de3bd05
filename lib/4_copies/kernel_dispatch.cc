// Run-time choice of the kernel implementation: CPU detection once per
// process, overridable with STORYCLUSTER_KERNEL=scalar|avx2|avx512.
#include <cstdlib>
#include <string>

#include "lib/4_copies/kernels.h"
#include "storycluster/copies.h"

namespace storycluster {
namespace {

struct Kernels {
  kernel::AgreementFn agreement;
  kernel::SketchAgreementFn sketch_agreement;
  kernel::SparseDotFn sparse_dot;
};

bool Supported(KernelIsa isa) {
  switch (isa) {
    case KernelIsa::kScalar:
      return true;
    case KernelIsa::kAvx2:
#ifdef STORYCLUSTER_HAVE_AVX2
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
      return false;
#endif
    case KernelIsa::kAvx512:
#ifdef STORYCLUSTER_HAVE_AVX512
      return __builtin_cpu_supports("avx512f") &&
             __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vl");
#else
      return false;
#endif
  }
  return false;
}

Kernels KernelsFor(KernelIsa isa) {
  switch (isa) {
#ifdef STORYCLUSTER_HAVE_AVX2
    case KernelIsa::kAvx2:
      return {kernel::avx2::Agreement, kernel::avx2::SketchAgreement,
              kernel::avx2::SparseDot};
#endif
#ifdef STORYCLUSTER_HAVE_AVX512
    case KernelIsa::kAvx512:
      return {kernel::avx512::Agreement, kernel::avx512::SketchAgreement,
              kernel::avx512::SparseDot};
#endif
    default:
      return {kernel::scalar::Agreement, kernel::scalar::SketchAgreement,
              kernel::scalar::SparseDot};
  }
}

KernelIsa ChooseKernel() {
  const std::vector<KernelIsa> available = AvailableKernels();
  if (const char* env = std::getenv("STORYCLUSTER_KERNEL")) {
    for (KernelIsa isa : available) {
      if (KernelIsaName(isa) == env) return isa;
    }
    // An unknown or unavailable name falls back to the best available.
  }
  return available.back();
}

const Kernels& Active() {
  static const Kernels kernels = KernelsFor(ActiveKernel());
  return kernels;
}

}  // namespace

std::string_view KernelIsaName(KernelIsa isa) {
  switch (isa) {
    case KernelIsa::kScalar:
      return "scalar";
    case KernelIsa::kAvx2:
      return "avx2";
    case KernelIsa::kAvx512:
      return "avx512";
  }
  return "unknown";
}

std::vector<KernelIsa> AvailableKernels() {
  std::vector<KernelIsa> out;
  for (KernelIsa isa :
       {KernelIsa::kScalar, KernelIsa::kAvx2, KernelIsa::kAvx512}) {
    if (Supported(isa)) out.push_back(isa);
  }
  return out;
}

KernelIsa ActiveKernel() {
  static const KernelIsa isa = ChooseKernel();
  return isa;
}

void SignatureAgreement(absl::Span<const uint32_t> query,
                        absl::Span<const uint32_t> block, size_t n,
                        absl::Span<uint32_t> counts) {
  Active().agreement(query.data(), block.data(), n, query.size(),
                     counts.data());
}

void SignatureAgreementWith(KernelIsa isa, absl::Span<const uint32_t> query,
                            absl::Span<const uint32_t> block, size_t n,
                            absl::Span<uint32_t> counts) {
  KernelsFor(isa).agreement(query.data(), block.data(), n, query.size(),
                            counts.data());
}

void SketchAgreement(absl::Span<const uint8_t> query,
                     absl::Span<const uint8_t> block, size_t n,
                     absl::Span<uint32_t> counts) {
  Active().sketch_agreement(query.data(), block.data(), n, query.size(),
                            counts.data());
}

void SketchAgreementWith(KernelIsa isa, absl::Span<const uint8_t> query,
                         absl::Span<const uint8_t> block, size_t n,
                         absl::Span<uint32_t> counts) {
  KernelsFor(isa).sketch_agreement(query.data(), block.data(), n, query.size(),
                                   counts.data());
}

void SparseDotBatch(absl::Span<const float> dense_query, const SparseRows& rows,
                    absl::Span<float> out) {
  Active().sparse_dot(dense_query.data(), rows.offsets.data(),
                      rows.indices.data(), rows.values.data(),
                      rows.offsets.size() - 1, out.data());
}

void SparseDotBatchWith(KernelIsa isa, absl::Span<const float> dense_query,
                        const SparseRows& rows, absl::Span<float> out) {
  KernelsFor(isa).sparse_dot(dense_query.data(), rows.offsets.data(),
                             rows.indices.data(), rows.values.data(),
                             rows.offsets.size() - 1, out.data());
}

double EstimateJaccard(absl::Span<const uint32_t> a,
                       absl::Span<const uint32_t> b) {
  uint32_t count = 0;
  SignatureAgreement(a, b, 1, absl::MakeSpan(&count, 1));
  return static_cast<double>(count) / static_cast<double>(a.size());
}

}  // namespace storycluster
