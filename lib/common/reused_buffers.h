// Internal: how large a buffer reused from article to article may stay.
// Buffers grow to the largest article they have held; one that an
// article grew past this is dropped before the next article, so a single
// huge article does not leave megabytes behind on every thread or
// extractor (docs/reliability.md).
#ifndef STORYCLUSTER_LIB_COMMON_REUSED_BUFFERS_H_
#define STORYCLUSTER_LIB_COMMON_REUSED_BUFFERS_H_

#include <cstddef>

namespace storycluster {

inline constexpr size_t kMaxReusedBufferBytes = size_t{1} << 20;

}  // namespace storycluster

#endif  // STORYCLUSTER_LIB_COMMON_REUSED_BUFFERS_H_
