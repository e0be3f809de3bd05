// The reference TF-IDF vectorizer (reference_tfidf.h).
#include "tests/3_features/reference_tfidf.h"

#include <algorithm>
#include <utility>

#include "lib/3_features/term_weight.h"

namespace storycluster {
namespace {

// Sorts (index, value) entries, sums repeated indices and L2-normalises.
SparseTermVector Normalize(std::vector<std::pair<uint32_t, float>>& entries) {
  std::sort(entries.begin(), entries.end());
  SparseTermVector v;
  v.indices.reserve(entries.size());
  v.values.reserve(entries.size());
  for (const auto& [index, value] : entries) {
    if (!v.indices.empty() && v.indices.back() == index) {
      v.values.back() += value;  // a term listed twice
      continue;
    }
    v.indices.push_back(index);
    v.values.push_back(value);
  }
  L2Normalize(absl::MakeSpan(v.values));
  return v;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TfidfVectorizer>> TfidfVectorizer::Create(
    const DocumentFrequencies* df, TfidfOptions options) {
  if (df == nullptr || !(options.idf_offset >= 0)) {
    return absl::InvalidArgumentError(
        "TfidfVectorizer needs a frequency table and idf_offset >= 0");
  }
  return std::unique_ptr<TfidfVectorizer>(new TfidfVectorizer(df, options));
}

SparseTermVector TfidfVectorizer::Vectorize(
    absl::Span<const WeightedTerm> terms) {
  const double n = static_cast<double>(df_->documents());
  std::vector<std::pair<uint32_t, float>> entries;
  entries.reserve(terms.size());
  for (const WeightedTerm& t : terms) {
    if (!(t.weight > 0)) continue;
    const uint32_t index =
        vocabulary_
            .try_emplace(t.term, static_cast<uint32_t>(vocabulary_.size()))
            .first->second;
    entries.emplace_back(index,
                         TermWeight(SublinearTf(t.weight),
                                    Idf(n, static_cast<double>(df_->df(t.term)),
                                        options_.idf_offset)));
  }
  return Normalize(entries);
}

uint32_t TfidfVectorizer::dimension() const {
  return static_cast<uint32_t>(vocabulary_.size());
}

absl::StatusOr<CorpusVectors> VectorizeCorpus(
    absl::Span<const absl::Span<const WeightedTerm>> docs,
    absl::Span<const double> idf_offsets, const DocumentFrequencies* background,
    int threads, DocumentFrequencies* df_out) {
  TermDictionary dictionary;
  TermLists lists;
  std::vector<uint32_t> ids;
  std::vector<float> weights;
  for (absl::Span<const WeightedTerm> doc : docs) {
    ids.clear();
    weights.clear();
    for (const WeightedTerm& t : doc) {
      ids.push_back(dictionary.Intern(t.term));
      weights.push_back(t.weight);
    }
    lists.Append(ids, weights);
  }
  std::vector<uint32_t> rows(docs.size());
  for (uint32_t d = 0; d < rows.size(); ++d) rows[d] = d;
  VectorizeOptions options;
  options.idf_offsets.assign(idf_offsets.begin(), idf_offsets.end());
  options.background = background;
  options.threads = threads;
  auto matrix = VectorizeRows(lists, rows, dictionary, options, df_out);
  if (!matrix.ok()) return matrix.status();
  CorpusVectors out;
  out.dimension = matrix->dimension;
  out.vectors.assign(idf_offsets.size(),
                     std::vector<SparseTermVector>(docs.size()));
  for (size_t k = 0; k < idf_offsets.size(); ++k) {
    for (size_t d = 0; d < docs.size(); ++d) {
      const uint64_t begin = matrix->offsets[d], end = matrix->offsets[d + 1];
      out.vectors[k][d].indices.assign(matrix->indices.begin() + begin,
                                       matrix->indices.begin() + end);
      out.vectors[k][d].values.assign(matrix->values[k].begin() + begin,
                                      matrix->values[k].begin() + end);
    }
  }
  return out;
}

}  // namespace storycluster
