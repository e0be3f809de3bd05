// Output of copy groups alone (storycluster copies).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "lib/8_output/json_common.h"
#include "storycluster/output.h"

namespace storycluster {
namespace {

using output_internal::Json;
using output_internal::TimeJson;

// Members of each group with two or more articles, original first, then
// input order; groups in order of their id.
std::vector<std::vector<uint32_t>> MultiMemberGroups(const CopyGroups& g) {
  std::vector<std::vector<uint32_t>> members(g.num_groups);
  for (uint32_t i = 0; i < g.group.size(); ++i)
    members[g.group[i]].push_back(i);
  std::vector<std::vector<uint32_t>> out;
  for (auto& m : members) {
    if (m.size() < 2) continue;
    const uint32_t original = g.original_of[m.front()];
    std::stable_partition(m.begin(), m.end(),
                          [&](uint32_t i) { return i == original; });
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

std::string FormatCopyGroups(const IngestResult& ingest,
                             const CopyGroups& groups, OutputFormat format) {
  const std::vector<Article>& articles = ingest.articles;
  if (format == OutputFormat::kTsv) {
    std::string out = "id\tdup\n";
    for (size_t i = 0; i < articles.size(); ++i) {
      absl::StrAppend(&out, articles[i].id, "\t",
                      ClusterId('d', groups.group[i]), "\n");
    }
    return out;
  }
  const auto multi = MultiMemberGroups(groups);
  size_t copies = 0;
  for (const auto& m : multi) copies += m.size() - 1;
  if (format == OutputFormat::kText) {
    std::string out = absl::StrCat(
        articles.size(), " articles -> ", groups.num_groups, " copy groups (",
        multi.size(), " with copies, ", copies, " copies)\n");
    for (const auto& m : multi) {
      absl::StrAppend(&out, "\n", ClusterId('d', groups.group[m.front()]), "  ",
                      articles[m.front()].title, "\n");
      for (uint32_t i : m) {
        absl::StrAppend(&out, i == m.front() ? "  * " : "    ", articles[i].id,
                        articles[i].source.empty()
                            ? ""
                            : absl::StrCat(" (", articles[i].source, ")"),
                        "\n");
      }
    }
    return out;
  }
  std::string out = "{\"copy_groups\":[";
  bool first = true;
  for (const auto& m : multi) {
    Json group;
    group["id"] = ClusterId('d', groups.group[m.front()]);
    group["original"] = articles[m.front()].id;
    Json members = Json::array();
    for (uint32_t i : m) {
      members.push_back({{"id", articles[i].id},
                         {"title", articles[i].title},
                         {"source", articles[i].source},
                         {"published", TimeJson(articles[i].published)},
                         {"original", i == m.front()}});
    }
    group["members"] = std::move(members);
    absl::StrAppend(&out, first ? "\n" : ",\n", output_internal::Dump(group));
    first = false;
  }
  Json tail;
  tail["stats"] = {{"read", ingest.stats.read},
                   {"accepted", ingest.stats.accepted},
                   {"rejected", ingest.stats.rejected},
                   {"copy_groups", groups.num_groups},
                   {"groups_with_copies", multi.size()},
                   {"copies", copies},
                   {"lsh_candidates", groups.stats.candidates},
                   {"verified_pairs", groups.stats.verified}};
  output_internal::AddInputReport(ingest, tail);
  output_internal::CloseWithTail(tail, &out);
  return out;
}

}  // namespace storycluster
