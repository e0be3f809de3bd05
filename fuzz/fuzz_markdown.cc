// libFuzzer target: Markdown-with-front-matter and plain-text file ingest
// of arbitrary bytes (yaml-cpp behind it). Each input is one file, so it
// must end as exactly one accepted article or one rejection.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "storycluster/ingest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto ingestor = storycluster::Ingestor::Create();
  if (!ingestor.ok()) std::abort();
  (*ingestor)->AddMarkdownFile(bytes, "a.md", "a.md");
  (*ingestor)->AddTextFile(bytes, "b.txt", "b.txt");
  const auto& r = (*ingestor)->result();
  if (r.stats.read != 2 || r.stats.accepted + r.stats.rejected != 2) {
    std::abort();
  }
  return 0;
}
