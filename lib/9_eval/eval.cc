// Clustering metrics, mirroring the reference scorer step by step (same
// parsing rules, same summation order, same rounding), so that both print
// identical numbers for the same files.
#include "storycluster/eval.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/common/strings.h"

namespace storycluster {
namespace {

using Row = std::vector<std::string>;

// Lines split on \n, \r\n or \r (universal newlines); blank lines skipped;
// fields split on tabs.
std::vector<Row> ReadTsv(std::string_view text) {
  std::vector<Row> rows;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (end < text.size() && text[end] == '\r' && pos < text.size() &&
        text[pos] == '\n') {
      ++pos;
    }
    if (Trim(line).empty()) continue;
    Row row;
    for (absl::string_view f : absl::StrSplit(AV(line), '\t')) {
      row.emplace_back(f);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

int64_t Pairs(int64_t n) { return n * (n - 1) / 2; }

// Python's json.dumps(round(x, 4)): the correctly rounded 4-decimal value
// printed as its shortest form ("1.0", "0.5", "0.8695").
std::string Round4(double x) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.4f", x);
  std::string s(buf);
  while (s.size() > 1 && s.back() == '0' && s[s.size() - 2] != '.') {
    s.pop_back();
  }
  return s;
}

template <typename K>
struct Counter {
  absl::flat_hash_map<K, int64_t> counts;
  void Add(const K& k) { ++counts[k]; }
  int64_t operator[](const K& k) const { return counts.at(k); }
};

// The (id, label of `column`) rows of a gold labels TSV, in file order.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> GoldRows(
    std::string_view gold_tsv, const std::string& column) {
  const std::vector<Row> g = ReadTsv(gold_tsv);
  if (g.empty()) return absl::InvalidArgumentError("gold file is empty");
  const auto gcol = std::find(g[0].begin(), g[0].end(), column);
  if (gcol == g[0].end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("gold header has no column '", column, "'"));
  }
  const size_t gi = static_cast<size_t>(gcol - g[0].begin());
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t r = 1; r < g.size(); ++r) {
    if (gi >= g[r].size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("gold row ", r + 1, " has no column ", gi + 1));
    }
    out.emplace_back(g[r][0], g[r][gi]);
  }
  return out;
}

absl::StatusOr<std::string> Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ReadGoldLabels(
    const std::string& path, const std::string& column) {
  auto text = Slurp(path);
  if (!text.ok()) return text.status();
  auto rows = GoldRows(*text, column);
  if (!rows.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", rows.status().message()));
  }
  return rows;
}

absl::StatusOr<EvalScores> Evaluate(std::string_view gold_tsv,
                                    std::string_view pred_tsv,
                                    const EvalOptions& options) {
  auto rows = GoldRows(gold_tsv, options.column);
  if (!rows.ok()) return rows.status();
  std::vector<std::string> ids;  // first-occurrence order, as a Python dict
  absl::flat_hash_map<std::string, std::string> gold;
  for (auto& [id, label] : *rows) {
    auto [it, inserted] = gold.insert_or_assign(id, label);
    if (inserted) ids.push_back(id);
  }
  const std::vector<Row> p = ReadTsv(pred_tsv);
  if (p.empty()) return absl::InvalidArgumentError("prediction file is empty");
  const Row& header = p[0];
  size_t pi = 1;
  if (options.pred_column.empty()) {
    auto it = std::find(header.begin(), header.end(), options.column);
    if (it != header.end()) pi = static_cast<size_t>(it - header.begin());
  } else if (int index;
             absl::SimpleAtoi(options.pred_column, &index) && index >= 0) {
    pi = static_cast<size_t>(index);
  } else {
    auto it = std::find(header.begin(), header.end(), options.pred_column);
    if (it == header.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "prediction header has no column '", options.pred_column, "'"));
    }
    pi = static_cast<size_t>(it - header.begin());
  }
  const bool has_header =
      header[0] == "id" || header[0] == "doc_id" || header[0] == "document";
  absl::flat_hash_map<std::string, std::string> pred;
  for (size_t r = has_header ? 1 : 0; r < p.size(); ++r) {
    if (gold.contains(p[r][0]) && p[r].size() > pi) {
      pred.insert_or_assign(p[r][0], p[r][pi]);
    }
  }
  EvalScores s;
  for (const std::string& d : ids) {
    if (!pred.contains(d)) {
      pred[d] = "__missing__" + d;
      ++s.missing;
    }
  }
  Counter<std::string> gc, pc;
  Counter<std::pair<std::string, std::string>> joint;
  for (const std::string& d : ids) {
    gc.Add(gold[d]);
    pc.Add(pred[d]);
    joint.Add({gold[d], pred[d]});
  }
  const double n = static_cast<double>(ids.size());
  double bp_sum = 0, br_sum = 0;
  for (const std::string& d : ids) {
    const double j = static_cast<double>(joint[{gold[d], pred[d]}]);
    bp_sum += j / static_cast<double>(pc[pred[d]]);
  }
  for (const std::string& d : ids) {
    const double j = static_cast<double>(joint[{gold[d], pred[d]}]);
    br_sum += j / static_cast<double>(gc[gold[d]]);
  }
  s.docs = static_cast<int64_t>(ids.size());
  s.gold_clusters = static_cast<int64_t>(gc.counts.size());
  s.pred_clusters = static_cast<int64_t>(pc.counts.size());
  s.bcubed_p = n > 0 ? bp_sum / n : 0.0;
  s.bcubed_r = n > 0 ? br_sum / n : 0.0;
  s.bcubed_f1 = s.bcubed_p + s.bcubed_r > 0
                    ? 2 * s.bcubed_p * s.bcubed_r / (s.bcubed_p + s.bcubed_r)
                    : 0.0;
  int64_t tp = 0, pp = 0, gp = 0;
  for (const auto& [k, v] : joint.counts) tp += Pairs(v);
  for (const auto& [k, v] : pc.counts) pp += Pairs(v);
  for (const auto& [k, v] : gc.counts) gp += Pairs(v);
  s.pair_p = pp ? static_cast<double>(tp) / static_cast<double>(pp) : 1.0;
  s.pair_r = gp ? static_cast<double>(tp) / static_cast<double>(gp) : 1.0;
  s.pair_f1 = s.pair_p + s.pair_r > 0
                  ? 2 * s.pair_p * s.pair_r / (s.pair_p + s.pair_r)
                  : 0.0;
  const int64_t n2 = Pairs(s.docs);
  // Python divides the exact integer product; long double keeps it exact
  // well past any realistic corpus size.
  const double expected =
      n2 ? static_cast<double>(static_cast<long double>(pp) *
                               static_cast<long double>(gp) /
                               static_cast<long double>(n2))
         : 0.0;
  const double max_index = static_cast<double>(pp + gp) / 2.0;
  s.ari = max_index != expected
              ? (static_cast<double>(tp) - expected) / (max_index - expected)
              : 1.0;
  return s;
}

absl::StatusOr<EvalScores> EvaluateFiles(const std::string& gold_path,
                                         const std::string& pred_path,
                                         const EvalOptions& options) {
  auto gold = Slurp(gold_path);
  if (!gold.ok()) return gold.status();
  auto pred = Slurp(pred_path);
  if (!pred.ok()) return pred.status();
  return Evaluate(*gold, *pred, options);
}

std::string ScoresToJson(const EvalScores& s) {
  return absl::StrCat(
      "{\"docs\": ", s.docs, ", \"gold_clusters\": ", s.gold_clusters,
      ", \"pred_clusters\": ", s.pred_clusters, ", \"missing\": ", s.missing,
      ", \"bcubed_p\": ", Round4(s.bcubed_p),
      ", \"bcubed_r\": ", Round4(s.bcubed_r),
      ", \"bcubed_f1\": ", Round4(s.bcubed_f1),
      ", \"pair_p\": ", Round4(s.pair_p), ", \"pair_r\": ", Round4(s.pair_r),
      ", \"pair_f1\": ", Round4(s.pair_f1), ", \"ari\": ", Round4(s.ari), "}");
}

}  // namespace storycluster
