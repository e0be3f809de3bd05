// Example: cluster every article under a directory and print storylines,
// events and copies as a text tree.
//
//   cluster_directory examples/data
#include <iostream>

#include "storycluster/storycluster.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " DIRECTORY\n";
    return 2;
  }
  absl::StatusOr<storycluster::IngestResult> ingest =
      storycluster::IngestPaths({argv[1]});
  if (!ingest.ok()) {
    std::cerr << ingest.status() << "\n";
    return 2;
  }
  for (const storycluster::Rejection& r : ingest->rejections) {
    std::cerr << "rejected " << r.ToString() << "\n";
  }
  absl::StatusOr<storycluster::Clustering> clustering =
      storycluster::RunPipeline(ingest->articles);
  if (!clustering.ok()) {
    std::cerr << clustering.status() << "\n";
    return 3;
  }
  std::cout << storycluster::FormatClustering(
      *ingest, *clustering, storycluster::OutputFormat::kText);
  return ingest->rejections.empty() ? 0 : 1;
}
