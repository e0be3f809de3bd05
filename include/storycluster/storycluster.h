// storycluster: finds copies of the same news article, groups outlets'
// reports of the same event, and links events into storylines.
// This umbrella header includes every stage's header in pipeline order.
#ifndef STORYCLUSTER_STORYCLUSTER_H_
#define STORYCLUSTER_STORYCLUSTER_H_

// clang-format off
#include "storycluster/status.h"      // IWYU pragma: export
#include "storycluster/article.h"     // IWYU pragma: export
#include "storycluster/ingest.h"      // IWYU pragma: export
#include "storycluster/normalize.h"   // IWYU pragma: export
#include "storycluster/tokenize.h"    // IWYU pragma: export
#include "storycluster/shingle.h"     // IWYU pragma: export
#include "storycluster/minhash.h"     // IWYU pragma: export
#include "storycluster/features.h"    // IWYU pragma: export
#include "storycluster/lsh.h"         // IWYU pragma: export
#include "storycluster/similarity.h"  // IWYU pragma: export
#include "storycluster/dedup.h"       // IWYU pragma: export
#include "storycluster/tfidf.h"       // IWYU pragma: export
#include "storycluster/pair_model.h"  // IWYU pragma: export
#include "storycluster/stage_time.h"  // IWYU pragma: export
#include "storycluster/cluster.h"     // IWYU pragma: export
#include "storycluster/output.h"      // IWYU pragma: export
#include "storycluster/eval.h"        // IWYU pragma: export
#include "storycluster/synthetic.h"   // IWYU pragma: export
// clang-format on

#endif  // STORYCLUSTER_STORYCLUSTER_H_
