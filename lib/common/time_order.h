// Internal: ordering items by publication time (unknown last, input order
// breaking ties), shared by copy detection and event clustering.
#ifndef STORYCLUSTER_LIB_COMMON_TIME_ORDER_H_
#define STORYCLUSTER_LIB_COMMON_TIME_ORDER_H_

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "absl/types/span.h"

namespace storycluster {

inline std::vector<uint32_t> TimeOrder(
    absl::Span<const std::optional<absl::Time>> times) {
  std::vector<uint32_t> order(times.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    if (times[a].has_value() != times[b].has_value()) {
      return times[a].has_value();
    }
    return times[a].has_value() && *times[a] < *times[b];
  });
  return order;
}

}  // namespace storycluster

#endif  // STORYCLUSTER_LIB_COMMON_TIME_ORDER_H_
