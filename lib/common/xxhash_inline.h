// Internal: xxHash compiled into the including file (XXH_INLINE_ALL), so
// that hashing the few bytes of a shingle, a line or a key is inlined
// instead of a call into the shared library. Same functions, same values.
#ifndef STORYCLUSTER_LIB_COMMON_XXHASH_INLINE_H_
#define STORYCLUSTER_LIB_COMMON_XXHASH_INLINE_H_

#define XXH_INLINE_ALL
#include <xxhash.h>

#endif  // STORYCLUSTER_LIB_COMMON_XXHASH_INLINE_H_
