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
#include "lib/common/parallel.h"
#include "lib/common/strings.h"
#include "storycluster/output.h"

namespace storycluster {

namespace {

double Idf(double documents, double df, double offset) {
  return std::log((1.0 + documents) / (1.0 + df)) + offset;
}

// Sublinear tf times idf.
float TermWeight(float tf, double idf) {
  return static_cast<float>((1.0 + std::log(tf)) * idf);
}

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
  double norm = 0;
  for (float value : v.values) norm += static_cast<double>(value) * value;
  norm = std::sqrt(norm);
  if (norm > 0) {
    for (float& value : v.values) value = static_cast<float>(value / norm);
  }
  return v;
}

}  // namespace

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

DocumentFrequencies DocumentFrequencies::FromCounts(
    int64_t documents, absl::flat_hash_map<std::string, int64_t> counts) {
  DocumentFrequencies table;
  table.documents_ = documents;
  table.df_ = std::move(counts);
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
    entries.emplace_back(
        index, TermWeight(t.weight, Idf(n, static_cast<double>(df_->df(t.term)),
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
  for (double offset : idf_offsets) {
    if (!(offset >= 0)) {
      return absl::InvalidArgumentError("idf offsets must be >= 0");
    }
  }
  const size_t n = docs.size();
  const int workers = ResolveThreads(threads);
  // 1. Each worker counts one contiguous part of the corpus and lists the
  //    terms in the order they first appear there with a positive weight
  //    (the order TfidfVectorizer::Vectorize would give them indices).
  struct Slot {
    int64_t df = 0;
    size_t last_doc = 0;
    bool listed = false;
  };
  struct Part {
    absl::flat_hash_map<std::string_view, Slot> terms;
    std::vector<std::string_view> first_seen;
  };
  std::vector<Part> part(PartCount(n, workers));
  ParallelParts(n, workers, [&](size_t p, size_t begin, size_t end) {
    for (size_t d = begin; d < end; ++d) {
      for (const WeightedTerm& t : docs[d]) {
        auto [it, fresh] = part[p].terms.try_emplace(t.term);
        Slot& slot = it->second;
        if (fresh || slot.last_doc != d) ++slot.df;  // once per document
        slot.last_doc = d;
        if (t.weight > 0 && !slot.listed) {
          slot.listed = true;
          part[p].first_seen.push_back(t.term);
        }
      }
    }
  });
  // 2. The vocabulary in corpus order of first appearance, and the counts.
  absl::flat_hash_map<std::string_view, uint32_t> index;
  std::vector<std::string_view> vocabulary;
  for (const Part& p : part) {
    for (std::string_view term : p.first_seen) {
      if (index.try_emplace(term, static_cast<uint32_t>(vocabulary.size()))
              .second) {
        vocabulary.push_back(term);
      }
    }
  }
  std::vector<int64_t> df(vocabulary.size(), 0);
  absl::flat_hash_map<std::string, int64_t> counts;
  for (const Part& p : part) {
    for (const auto& [term, slot] : p.terms) {
      auto it = index.find(term);
      if (it != index.end()) df[it->second] += slot.df;
      if (df_out != nullptr) counts[AV(term)] += slot.df;
    }
  }
  if (df_out != nullptr) {
    *df_out = DocumentFrequencies::FromCounts(static_cast<int64_t>(n),
                                              std::move(counts));
  }
  const double documents =
      static_cast<double>(n) +
      (background != nullptr ? static_cast<double>(background->documents())
                             : 0.0);
  std::vector<std::vector<double>> idf(idf_offsets.size(),
                                       std::vector<double>(vocabulary.size()));
  for (size_t i = 0; i < vocabulary.size(); ++i) {
    const double term_df = static_cast<double>(
        df[i] + (background != nullptr ? background->df(vocabulary[i]) : 0));
    for (size_t k = 0; k < idf_offsets.size(); ++k) {
      idf[k][i] = Idf(documents, term_df, idf_offsets[k]);
    }
  }
  // 3. The vectors, document by document.
  CorpusVectors out;
  out.dimension = static_cast<uint32_t>(vocabulary.size());
  out.vectors.assign(idf_offsets.size(), std::vector<SparseTermVector>(n));
  ParallelFor(n, workers, 256, [&](size_t begin, size_t end, int) {
    std::vector<std::pair<uint32_t, float>> terms, entries;
    for (size_t d = begin; d < end; ++d) {
      terms.clear();
      for (const WeightedTerm& t : docs[d]) {
        if (t.weight > 0) terms.emplace_back(index.at(t.term), t.weight);
      }
      for (size_t k = 0; k < idf_offsets.size(); ++k) {
        entries.clear();
        for (const auto& [i, tf] : terms) {
          entries.emplace_back(i, TermWeight(tf, idf[k][i]));
        }
        out.vectors[k][d] = Normalize(entries);
      }
    }
  });
  return out;
}

}  // namespace storycluster
