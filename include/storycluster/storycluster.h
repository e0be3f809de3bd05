// storycluster: finds copies of the same news article, groups outlets'
// reports of the same event, and links events into storylines.
// This umbrella header includes every stage's header in pipeline order;
// lib/ has one numbered folder per stage in the same order.
#ifndef STORYCLUSTER_STORYCLUSTER_H_
#define STORYCLUSTER_STORYCLUSTER_H_

// clang-format off
// Used by every stage: errors and the article record.
#include "storycluster/status.h"      // IWYU pragma: export
#include "storycluster/article.h"     // IWYU pragma: export
// The stages.
#include "storycluster/ingest.h"      // IWYU pragma: export  1. ingest
#include "storycluster/text.h"        // IWYU pragma: export  2. text
#include "storycluster/features.h"    // IWYU pragma: export  3. features
#include "storycluster/copies.h"      // IWYU pragma: export  4. copies
#include "storycluster/events.h"      // IWYU pragma: export  5. events
#include "storycluster/storylines.h"  // IWYU pragma: export  6. storylines
#include "storycluster/pipeline.h"    // IWYU pragma: export  7. pipeline
#include "storycluster/output.h"      // IWYU pragma: export  8. output
#include "storycluster/eval.h"        // IWYU pragma: export  9. evaluation
// Not a stage: the persistent, incremental index on SQLite.
#include "storycluster/index.h"       // IWYU pragma: export
// Not a stage: synthetic corpora for tests and benchmarks.
#include "storycluster/synthetic.h"   // IWYU pragma: export
// clang-format on

#endif  // STORYCLUSTER_STORYCLUSTER_H_
