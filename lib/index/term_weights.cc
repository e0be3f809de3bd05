// Term weights like the whole archive's (term_weights.h).
#include "lib/index/term_weights.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "lib/common/strings.h"
#include "lib/index/sqlite.h"
#include "storycluster/status.h"

namespace storycluster::index_internal {
namespace {

using sqlite::Statement;

// Distinct content terms of each listed article, counted.
absl::flat_hash_map<std::string, int64_t> TermCounts(
    const std::vector<ArticleFeatures>& features,
    const std::vector<size_t>& articles) {
  absl::flat_hash_map<std::string, int64_t> counts;
  for (size_t i : articles) {
    const std::vector<WeightedTerm>& terms = features[i].terms;
    for (size_t t = 0; t < terms.size(); ++t) {
      // Sorted by term: a repeat is next to its first.
      if (t == 0 || terms[t].term != terms[t - 1].term) ++counts[terms[t].term];
    }
  }
  return counts;
}

}  // namespace

// The archive's content-term document frequencies outside the window: the
// stored counts (term_frequencies, over every original stored) minus the
// window's originals, whose terms the batch's run counts itself. Then the
// run weighs terms as `cluster` over the whole archive would. Only the
// run's own terms are looked up. Nullptr while the archive outside the
// window is empty.
absl::StatusOr<std::shared_ptr<const DocumentFrequencies>> Background(
    sqlite3* db, const std::vector<ArticleFeatures>& features,
    const std::vector<bool>& window_original) {
  STORYCLUSTER_ASSIGN_OR_RETURN(
      const int64_t stored,
      sqlite::QueryInt(db,
                       "SELECT CAST(value AS INTEGER) FROM meta WHERE "
                       "key='df_documents'"));
  std::vector<size_t> window;
  for (size_t i = 0; i < window_original.size(); ++i) {
    if (window_original[i]) window.push_back(i);
  }
  const int64_t documents = stored - static_cast<int64_t>(window.size());
  if (documents <= 0) return nullptr;
  const auto in_window = TermCounts(features, window);
  absl::flat_hash_set<std::string_view> vocabulary;
  for (const ArticleFeatures& f : features) {
    for (const WeightedTerm& t : f.terms) vocabulary.insert(t.term);
  }
  STORYCLUSTER_ASSIGN_OR_RETURN(
      auto lookup,
      Statement::Prepare(db, "SELECT df FROM term_frequencies WHERE term=?"));
  absl::flat_hash_map<std::string, int64_t> counts;
  for (std::string_view term : vocabulary) {
    lookup.Bind(1, term);
    STORYCLUSTER_ASSIGN_OR_RETURN(const bool row, lookup.Step());
    int64_t df = row ? lookup.Int(0) : 0;
    lookup.Reset();
    const auto it = in_window.find(AV(term));
    if (it != in_window.end()) df -= it->second;
    // A window article's terms can differ a little from when it was
    // counted (the furniture filter is learned from each run): clamped.
    df = std::min(df, documents);
    if (df > 0) counts.emplace(std::string(term), df);
  }
  return std::make_shared<const DocumentFrequencies>(
      DocumentFrequencies::FromCounts(documents, std::move(counts)));
}

// Keeps term_frequencies the counts over the stored originals: the run
// rows in `gained` became originals, those in `lost` stopped being ones.
absl::Status CountTerms(sqlite3* db,
                        const std::vector<ArticleFeatures>& features,
                        const std::vector<size_t>& gained,
                        const std::vector<size_t>& lost) {
  auto counts = TermCounts(features, gained);
  for (const auto& [term, count] : TermCounts(features, lost)) {
    counts[term] -= count;
  }
  STORYCLUSTER_ASSIGN_OR_RETURN(
      auto upsert,
      Statement::Prepare(db,
                         "INSERT INTO term_frequencies VALUES(?, ?) ON "
                         "CONFLICT(term) DO UPDATE SET df = df + excluded.df"));
  STORYCLUSTER_ASSIGN_OR_RETURN(
      auto prune, Statement::Prepare(db,
                                     "DELETE FROM term_frequencies WHERE "
                                     "term = ? AND df <= 0"));
  for (const auto& [term, count] : counts) {
    if (count == 0) continue;
    upsert.Bind(1, std::string_view(term));
    upsert.Bind(2, count);
    STORYCLUSTER_RETURN_IF_ERROR(upsert.Run());
    if (count < 0) {
      // A window article's terms can differ a little from when it was
      // counted (the furniture filter is learned from each run).
      prune.Bind(1, std::string_view(term));
      STORYCLUSTER_RETURN_IF_ERROR(prune.Run());
    }
  }
  STORYCLUSTER_ASSIGN_OR_RETURN(
      auto documents,
      Statement::Prepare(db,
                         "UPDATE meta SET value = CAST(value AS INTEGER) + ? "
                         "WHERE key='df_documents'"));
  documents.Bind(1, static_cast<int64_t>(gained.size()) -
                        static_cast<int64_t>(lost.size()));
  return documents.Run();
}

}  // namespace storycluster::index_internal
