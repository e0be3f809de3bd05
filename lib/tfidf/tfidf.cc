// Document frequencies (with a versioned text format) and TF-IDF vectors.
#include "storycluster/tfidf.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/common/strings.h"
#include "storycluster/output.h"

namespace storycluster {

void DocumentFrequencies::Add(absl::Span<const WeightedTerm> terms) {
  ++documents_;
  // Feature terms are sorted and unique, but do not rely on it.
  std::vector<std::string_view> seen;
  seen.reserve(terms.size());
  for (const WeightedTerm& t : terms) seen.push_back(t.term);
  std::sort(seen.begin(), seen.end());
  seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
  for (std::string_view term : seen) ++df_[AV(term)];
}

void DocumentFrequencies::Merge(const DocumentFrequencies& other) {
  documents_ += other.documents_;
  for (const auto& [term, count] : other.df_) df_[term] += count;
}

int64_t DocumentFrequencies::df(std::string_view term) const {
  auto it = df_.find(AV(term));
  return it == df_.end() ? 0 : it->second;
}

absl::Status DocumentFrequencies::Save(const std::string& path) const {
  std::vector<std::pair<std::string, int64_t>> rows(df_.begin(), df_.end());
  std::sort(rows.begin(), rows.end());
  std::string out =
      absl::StrCat("#storycluster-df\tv", kDocumentFrequencyFormatVersion,
                   "\tdocuments=", documents_, "\n");
  for (const auto& [term, count] : rows) {
    absl::StrAppend(&out, term, "\t", count, "\n");
  }
  return WriteFileAtomically(path, out);
}

absl::StatusOr<DocumentFrequencies> DocumentFrequencies::Load(
    const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::ostringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

absl::StatusOr<DocumentFrequencies> DocumentFrequencies::Parse(
    std::string_view text, std::string_view name) {
  DocumentFrequencies table;
  int64_t line_no = 0;
  auto error = [&](std::string_view what) {
    return absl::InvalidArgumentError(
        absl::StrCat(AV(name), ":", line_no, ": ", AV(what)));
  };
  for (absl::string_view line : absl::StrSplit(AV(text), '\n')) {
    if (line.empty() && line.data() + 1 > text.data() + text.size()) break;
    ++line_no;
    std::vector<absl::string_view> fields = absl::StrSplit(line, '\t');
    if (line_no == 1) {
      if (fields.size() != 3 || fields[0] != "#storycluster-df" ||
          fields[1] != absl::StrCat("v", kDocumentFrequencyFormatVersion) ||
          !absl::StartsWith(fields[2], "documents=") ||
          !absl::SimpleAtoi(fields[2].substr(10), &table.documents_) ||
          table.documents_ < 0) {
        return error("not a storycluster document-frequency table (v1)");
      }
      continue;
    }
    int64_t count = 0;
    if (fields.size() != 2 || fields[0].empty() ||
        !absl::SimpleAtoi(fields[1], &count) || count < 1 ||
        count > table.documents_) {
      return error("expected TERM<TAB>DF with 1 <= DF <= documents");
    }
    if (!table.df_.emplace(std::string(fields[0]), count).second) {
      return error(absl::StrCat("duplicate term '", fields[0], "'"));
    }
  }
  if (line_no == 0) return error("empty file");
  return table;
}

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
    const double idf =
        std::log((1.0 + n) / (1.0 + static_cast<double>(df_->df(t.term)))) +
        options_.idf_offset;
    entries.emplace_back(index,
                         static_cast<float>((1.0 + std::log(t.weight)) * idf));
  }
  std::sort(entries.begin(), entries.end());
  SparseTermVector v;
  double norm = 0;
  for (const auto& [index, value] : entries) {
    if (!v.indices.empty() && v.indices.back() == index) {
      v.values.back() += value;  // a term listed twice
      continue;
    }
    v.indices.push_back(index);
    v.values.push_back(value);
  }
  for (float value : v.values) norm += static_cast<double>(value) * value;
  norm = std::sqrt(norm);
  if (norm > 0) {
    for (float& value : v.values) value = static_cast<float>(value / norm);
  }
  return v;
}

uint32_t TfidfVectorizer::dimension() const {
  return static_cast<uint32_t>(vocabulary_.size());
}

}  // namespace storycluster
