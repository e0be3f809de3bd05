// Consumer of the installed library: ingests a corpus, clusters it, and
// checks that every article got an assignment.
#include <iostream>

#include "storycluster/storycluster.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  auto ingest = storycluster::IngestPaths({argv[1]});
  if (!ingest.ok() || ingest->articles.empty()) {
    std::cerr << "ingest failed\n";
    return 1;
  }
  auto clustering = storycluster::RunPipeline(ingest->articles);
  if (!clustering.ok() ||
      clustering->assignments.size() != ingest->articles.size()) {
    std::cerr << "clustering failed\n";
    return 1;
  }
  std::cout << "consumer: " << ingest->articles.size() << " articles, "
            << clustering->num_events << " events, " << clustering->num_stories
            << " storylines\n";
  return 0;
}
