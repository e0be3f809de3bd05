// Document frequencies (with a versioned text format) and TF-IDF rows.
#include <algorithm>
#include <bit>
#include <cmath>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/3_features/term_weight.h"
#include "lib/common/key_sort.h"
#include "lib/common/parallel.h"
#include "lib/common/strings.h"
#include "storycluster/features.h"
#include "storycluster/output_path.h"

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
  return WriteOutputFile(path, out);
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

namespace {

constexpr uint32_t kNoIndex = UINT32_MAX;

// The vocabulary of `docs` in order of first appearance with a positive
// weight (the order TfidfVectorizer::Vectorize would index them), and the
// document frequencies by dictionary id.
struct Vocabulary {
  std::vector<uint32_t> index;  // dictionary id -> index (kNoIndex: none)
  std::vector<uint32_t> ids;    // index -> dictionary id
  std::vector<int64_t> df;      // by dictionary id
};

// Each worker counts one contiguous part of the documents and lists the
// terms in the order they first appear there; the parts then combine in
// order.
Vocabulary CountTerms(const TermLists& lists, absl::Span<const uint32_t> docs,
                      uint32_t bound, int workers) {
  const size_t n = docs.size();
  struct Part {
    std::vector<uint32_t> df;        // by dictionary id
    std::vector<uint32_t> last_doc;  // 1 + last counted document
    std::vector<uint32_t> first_seen;
  };
  std::vector<Part> part(PartCount(n, workers));
  ParallelParts(n, workers, [&](size_t p, size_t begin, size_t end) {
    Part& mine = part[p];
    mine.df.assign(bound, 0);
    mine.last_doc.assign(bound, 0);
    std::vector<bool> listed(bound, false);
    for (size_t r = begin; r < end; ++r) {
      const auto ids = lists.ids_of(docs[r]);
      const auto weights = lists.weights_of(docs[r]);
      for (size_t t = 0; t < ids.size(); ++t) {
        const uint32_t id = ids[t];
        if (mine.last_doc[id] != r + 1) ++mine.df[id];  // once per document
        mine.last_doc[id] = static_cast<uint32_t>(r + 1);
        if (weights[t] > 0 && !listed[id]) {
          listed[id] = true;
          mine.first_seen.push_back(id);
        }
      }
    }
    std::vector<uint32_t>().swap(mine.last_doc);
  });
  Vocabulary out;
  out.index.assign(bound, kNoIndex);
  for (const Part& p : part) {
    for (uint32_t id : p.first_seen) {
      if (out.index[id] != kNoIndex) continue;
      out.index[id] = static_cast<uint32_t>(out.ids.size());
      out.ids.push_back(id);
    }
  }
  out.df.assign(bound, 0);
  for (const Part& p : part) {
    for (uint32_t id = 0; id < bound && !p.df.empty(); ++id) {
      out.df[id] += p.df[id];
    }
  }
  return out;
}

// idf[k][i] of vocabulary index i under idf_offsets[k], over this corpus's
// counts plus `background`'s.
std::vector<std::vector<double>> IdfTables(
    const Vocabulary& vocabulary, size_t n, const TermDictionary& dictionary,
    absl::Span<const double> idf_offsets,
    const DocumentFrequencies* background) {
  const double documents =
      static_cast<double>(n) +
      (background != nullptr ? static_cast<double>(background->documents())
                             : 0.0);
  const size_t size = vocabulary.ids.size();
  std::vector<std::vector<double>> idf(idf_offsets.size(),
                                       std::vector<double>(size));
  for (size_t i = 0; i < size; ++i) {
    const uint32_t id = vocabulary.ids[i];
    const double term_df = static_cast<double>(
        vocabulary.df[id] +
        (background != nullptr ? background->df(dictionary.Term(id)) : 0));
    for (size_t k = 0; k < idf_offsets.size(); ++k) {
      idf[k][i] = Idf(documents, term_df, idf_offsets[k]);
    }
  }
  return idf;
}

constexpr size_t kRowGrain = 256;

// out->offsets from the row lengths (distinct indices with a positive
// weight).
void LayOutRows(const TermLists& lists, absl::Span<const uint32_t> docs,
                const std::vector<uint32_t>& index, int workers,
                TermMatrix* out) {
  const size_t n = docs.size();
  out->offsets.assign(n + 1, 0);
  // Per worker, seen[i] == r + 1: index i is counted in row r already.
  std::vector<std::vector<uint32_t>> seen_by_worker(workers);
  ParallelFor(n, workers, kRowGrain, [&](size_t begin, size_t end, int worker) {
    std::vector<uint32_t>& seen = seen_by_worker[worker];
    if (seen.size() != out->dimension) seen.assign(out->dimension, 0);
    for (size_t r = begin; r < end; ++r) {
      const auto ids = lists.ids_of(docs[r]);
      const auto weights = lists.weights_of(docs[r]);
      const auto stamp = static_cast<uint32_t>(r + 1);
      uint64_t distinct = 0;
      for (size_t t = 0; t < ids.size(); ++t) {
        if (!(weights[t] > 0)) continue;
        uint32_t& mark = seen[index[ids[t]]];
        distinct += mark != stamp;
        mark = stamp;
      }
      out->offsets[r + 1] = distinct;
    }
  });
  for (size_t r = 0; r < n; ++r) out->offsets[r + 1] += out->offsets[r];
}

// The rows' indices and, per idf table, their L2-normalised weights.
void FillRows(const TermLists& lists, absl::Span<const uint32_t> docs,
              const std::vector<uint32_t>& index,
              const std::vector<std::vector<double>>& idf, int workers,
              TermMatrix* out) {
  const size_t n = docs.size();
  out->indices.resize(out->offsets[n]);
  out->values.assign(idf.size(), std::vector<float>(out->offsets[n]));
  ParallelFor(n, workers, kRowGrain, [&](size_t begin, size_t end, int) {
    // A term as one integer: its index above its weight's bits. A positive
    // float's bits order as its value does, so these integers sort as the
    // (index, weight) pairs, in one compare each.
    std::vector<uint64_t> terms;
    auto index_of = [](uint64_t term) {
      return static_cast<uint32_t>(term >> 32);
    };
    auto weight_of = [](uint64_t term) {
      return std::bit_cast<float>(static_cast<uint32_t>(term));
    };
    std::vector<double> sublinear;  // 1 + ln tf, by position in `terms`
    for (size_t r = begin; r < end; ++r) {
      const auto ids = lists.ids_of(docs[r]);
      const auto weights = lists.weights_of(docs[r]);
      terms.clear();
      for (size_t t = 0; t < ids.size(); ++t) {
        if (weights[t] > 0) {
          terms.push_back(uint64_t{index[ids[t]]} << 32 |
                          std::bit_cast<uint32_t>(weights[t]));
        }
      }
      // Sorted once for every offset: a term's weight grows with its tf
      // (idf > 0; at idf 0 all are 0), so this is also the order of
      // (index, weight) that Normalize sorts by.
      SortKeys(terms.data(), terms.size());
      sublinear.resize(terms.size());
      for (size_t t = 0; t < terms.size(); ++t) {
        sublinear[t] = SublinearTf(weight_of(terms[t]));
      }
      uint32_t* const row_indices = out->indices.data() + out->offsets[r];
      const size_t size = out->offsets[r + 1] - out->offsets[r];
      for (size_t k = 0; k < idf.size(); ++k) {
        float* const row_values = out->values[k].data() + out->offsets[r];
        size_t at = 0;
        for (size_t t = 0; t < terms.size(); ++t) {
          const uint32_t i = index_of(terms[t]);
          const float weight = TermWeight(sublinear[t], idf[k][i]);
          if (at > 0 && row_indices[at - 1] == i) {
            row_values[at - 1] += weight;  // a term listed twice
            continue;
          }
          row_indices[at] = i;
          row_values[at++] = weight;
        }
        L2Normalize(absl::MakeSpan(row_values, size));
      }
    }
  });
}

}  // namespace

absl::StatusOr<TermMatrix> VectorizeRows(const TermLists& lists,
                                         absl::Span<const uint32_t> docs,
                                         const TermDictionary& dictionary,
                                         const VectorizeOptions& options,
                                         DocumentFrequencies* df_out) {
  const std::vector<double>& idf_offsets = options.idf_offsets;
  for (double offset : idf_offsets) {
    if (!(offset >= 0)) {
      return absl::InvalidArgumentError("idf offsets must be >= 0");
    }
  }
  const size_t n = docs.size();
  const int workers = ResolveThreads(options.threads);
  Vocabulary vocabulary =
      CountTerms(lists, docs, dictionary.id_bound(), workers);
  if (df_out != nullptr) {
    absl::flat_hash_map<std::string, int64_t> counts;
    for (uint32_t id = 0; id < vocabulary.df.size(); ++id) {
      if (vocabulary.df[id] > 0) {
        counts[AV(dictionary.Term(id))] = vocabulary.df[id];
      }
    }
    *df_out = DocumentFrequencies::FromCounts(static_cast<int64_t>(n),
                                              std::move(counts));
  }
  const std::vector<std::vector<double>> idf =
      IdfTables(vocabulary, n, dictionary, idf_offsets, options.background);
  std::vector<int64_t>().swap(vocabulary.df);
  TermMatrix out;
  out.dimension = static_cast<uint32_t>(vocabulary.ids.size());
  LayOutRows(lists, docs, vocabulary.index, workers, &out);
  FillRows(lists, docs, vocabulary.index, idf, workers, &out);
  return out;
}

}  // namespace storycluster
