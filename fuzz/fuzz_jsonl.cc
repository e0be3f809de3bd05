// libFuzzer target: JSON Lines ingest of arbitrary bytes. Invariants checked
// on every input: accepted + rejected == read, and every accepted article
// has a non-empty id.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "storycluster/ingest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  storycluster::IngestOptions options;
  options.max_record_bytes = 1 << 16;  // exercise the oversized-line path
  auto ingestor = storycluster::Ingestor::Create(options);
  if (!ingestor.ok()) std::abort();
  (*ingestor)->AddJsonlBuffer(
      std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  const auto& r = (*ingestor)->result();
  if (r.stats.accepted + r.stats.rejected != r.stats.read) std::abort();
  for (const auto& a : r.articles) {
    if (a.id.empty()) std::abort();
  }
  return 0;
}
