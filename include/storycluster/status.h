// Error-handling helpers shared by every stage: storycluster reports failures
// as absl::Status / absl::StatusOr at API boundaries and never throws across
// the public API. Abseil 20220623 has no RETURN_IF_ERROR macro, so these small
// macros fill that gap.
#ifndef STORYCLUSTER_STATUS_H_
#define STORYCLUSTER_STATUS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define STORYCLUSTER_CONCAT_INNER_(a, b) a##b
#define STORYCLUSTER_CONCAT_(a, b) STORYCLUSTER_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status) and returns it from the enclosing
// function when it is not OK.
#define STORYCLUSTER_RETURN_IF_ERROR(expr)                       \
  do {                                                           \
    ::absl::Status storycluster_status_ = (expr);                \
    if (!storycluster_status_.ok()) return storycluster_status_; \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns its status, else
// moves the value into `lhs` (which may be a declaration such as `auto x`).
#define STORYCLUSTER_ASSIGN_OR_RETURN(lhs, rexpr) \
  STORYCLUSTER_ASSIGN_OR_RETURN_IMPL_(            \
      STORYCLUSTER_CONCAT_(storycluster_statusor_, __LINE__), lhs, rexpr)
#define STORYCLUSTER_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                        \
  if (!statusor.ok()) return std::move(statusor).status();        \
  lhs = std::move(statusor).value()

#endif  // STORYCLUSTER_STATUS_H_
