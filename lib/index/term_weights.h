// Internal: term weights like the whole archive's (index.cc). The index
// keeps the content-term document frequencies of its stored originals
// (table term_frequencies); a batch's run weighs its terms against them.
#ifndef STORYCLUSTER_LIB_INDEX_TERM_WEIGHTS_H_
#define STORYCLUSTER_LIB_INDEX_TERM_WEIGHTS_H_

#include <sqlite3.h>

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "storycluster/features.h"

namespace storycluster::index_internal {

// The archive's content-term document frequencies outside the window: the
// stored counts minus those of the window's originals (`window_original`
// flags the first window_original.size() run articles), whose terms the
// batch's run counts itself. Nullptr while the archive outside the window
// is empty.
absl::StatusOr<std::shared_ptr<const DocumentFrequencies>> Background(
    sqlite3* db, const std::vector<ArticleFeatures>& features,
    const std::vector<bool>& window_original);

// Keeps term_frequencies the counts over the stored originals: the run
// rows in `gained` became originals, those in `lost` stopped being ones.
absl::Status CountTerms(sqlite3* db,
                        const std::vector<ArticleFeatures>& features,
                        const std::vector<size_t>& gained,
                        const std::vector<size_t>& lost);

}  // namespace storycluster::index_internal

#endif  // STORYCLUSTER_LIB_INDEX_TERM_WEIGHTS_H_
