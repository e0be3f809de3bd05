// Example: find the copies of one article in a corpus, with their shingle
// Jaccard similarity to it.
//
//   find_copies examples/data northwire-0303-strike
#include <algorithm>
#include <iostream>
#include <vector>

#include "storycluster/storycluster.h"

namespace {

double Jaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  std::vector<uint64_t> common;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(),
                        std::back_inserter(common));
  const size_t all = a.size() + b.size() - common.size();
  return all == 0 ? 0.0 : static_cast<double>(common.size()) / all;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: " << argv[0] << " CORPUS ARTICLE_ID\n";
    return 2;
  }
  auto ingest = storycluster::IngestPaths({argv[1]});
  if (!ingest.ok()) {
    std::cerr << ingest.status() << "\n";
    return 2;
  }
  const auto& articles = ingest->articles;
  auto it = std::find_if(articles.begin(), articles.end(),
                         [&](const auto& a) { return a.id == argv[2]; });
  if (it == articles.end()) {
    std::cerr << "no article with id " << argv[2] << "\n";
    return 2;
  }
  const size_t query = static_cast<size_t>(it - articles.begin());
  auto extractor = storycluster::FeatureExtractor::Create(
      storycluster::FeatureOptions{}, articles);
  auto clustering = storycluster::RunPipeline(articles);
  if (!extractor.ok() || !clustering.ok()) {
    std::cerr << "pipeline failed\n";
    return 3;
  }
  std::vector<storycluster::ArticleFeatures> features;
  for (const auto& a : articles) features.push_back((*extractor)->Extract(a));
  const uint32_t group = clustering->assignments[query].copy_group;
  std::cout << "Copies of " << articles[query].id << " ("
            << articles[query].title << "):\n";
  for (size_t i = 0; i < articles.size(); ++i) {
    if (clustering->assignments[i].copy_group != group) continue;
    std::cout << (clustering->assignments[i].original ? "  original  "
                                                      : "  copy      ")
              << articles[i].id << "  jaccard="
              << Jaccard(features[query].shingles, features[i].shingles)
              << "  [" << articles[i].source << "]\n";
  }
  return 0;
}
