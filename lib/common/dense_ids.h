// Internal: renumbering cluster ids densely.
#ifndef STORYCLUSTER_LIB_COMMON_DENSE_IDS_H_
#define STORYCLUSTER_LIB_COMMON_DENSE_IDS_H_

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

namespace storycluster {

// Renumbers `ids` 0, 1, 2, ... in order of first appearance and returns
// how many distinct ids there were. The ids are indices of members or
// clusters (below a few times the input size), so one array maps them.
inline uint32_t Densify(std::vector<uint32_t>& ids) {
  if (ids.empty()) return 0;
  constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
  std::vector<uint32_t> dense(
      size_t{*std::max_element(ids.begin(), ids.end())} + 1, kNone);
  uint32_t next = 0;
  for (uint32_t& id : ids) {
    uint32_t& to = dense[id];
    if (to == kNone) to = next++;
    id = to;
  }
  return next;
}

}  // namespace storycluster

#endif  // STORYCLUSTER_LIB_COMMON_DENSE_IDS_H_
