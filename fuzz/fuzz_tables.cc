// libFuzzer target: the formats storycluster reads back: document-frequency
// tables (features.h) and evaluation TSV files (gold and prediction, split at
// the first NUL byte).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "storycluster/eval.h"
#include "storycluster/features.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto table = storycluster::DocumentFrequencies::Parse(bytes, "fuzz");
  if (table.ok() && table->documents() < 0) std::abort();
  const size_t nul = bytes.find('\0');
  const std::string_view gold = bytes.substr(0, nul);
  const std::string_view pred =
      nul == std::string_view::npos ? bytes : bytes.substr(nul + 1);
  for (const char* level : {"event", "story"}) {
    storycluster::EvalOptions options;
    options.column = level;
    auto scores = storycluster::Evaluate(gold, pred, options);
    if (scores.ok() && (scores->bcubed_p < 0 || scores->bcubed_p > 1.0000001)) {
      std::abort();
    }
  }
  return 0;
}
