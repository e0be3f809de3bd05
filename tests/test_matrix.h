// Small TF-IDF matrices written out by hand, for the event and storyline
// steps' tests.
#ifndef STORYCLUSTER_TESTS_TEST_MATRIX_H_
#define STORYCLUSTER_TESTS_TEST_MATRIX_H_

#include <cstdint>
#include <map>
#include <vector>

#include "storycluster/features.h"

namespace storycluster {

// One value set; row r holds rows[r] (term -> weight, as given: callers
// pass unit vectors where the code expects them).
inline TermMatrix MatrixOf(uint32_t dimension,
                           const std::vector<std::map<uint32_t, float>>& rows) {
  TermMatrix m;
  m.dimension = dimension;
  m.values.resize(1);
  for (const auto& row : rows) {
    for (const auto& [term, weight] : row) {
      m.indices.push_back(term);
      m.values[0].push_back(weight);
    }
    m.offsets.push_back(m.indices.size());
  }
  return m;
}

}  // namespace storycluster

#endif  // STORYCLUSTER_TESTS_TEST_MATRIX_H_
