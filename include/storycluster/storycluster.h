// storycluster: finds copies of the same news article, groups outlets'
// reports of the same event, and links events into storylines.
// This umbrella header includes every stage's header in pipeline order.
#ifndef STORYCLUSTER_STORYCLUSTER_H_
#define STORYCLUSTER_STORYCLUSTER_H_

#include "storycluster/article.h"    // IWYU pragma: export
#include "storycluster/cluster.h"    // IWYU pragma: export
#include "storycluster/eval.h"       // IWYU pragma: export
#include "storycluster/features.h"   // IWYU pragma: export
#include "storycluster/ingest.h"     // IWYU pragma: export
#include "storycluster/normalize.h"  // IWYU pragma: export
#include "storycluster/output.h"     // IWYU pragma: export
#include "storycluster/status.h"     // IWYU pragma: export
#include "storycluster/tokenize.h"   // IWYU pragma: export

#endif  // STORYCLUSTER_STORYCLUSTER_H_
