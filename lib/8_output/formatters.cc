// Output formatters: TSV, JSON (nlohmann::ordered_json, one storyline
// object at a time) and a human-readable text tree.
#include <algorithm>
#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "lib/8_output/json_common.h"
#include "storycluster/output.h"

namespace storycluster {
namespace {

using output_internal::FormatTime;
using output_internal::Json;
using output_internal::TimeJson;

// Orders by time (unknown last), then by index.
bool Earlier(const std::optional<absl::Time>& ta, uint32_t a,
             const std::optional<absl::Time>& tb, uint32_t b) {
  if (ta.has_value() != tb.has_value()) return ta.has_value();
  if (ta && *ta != *tb) return *ta < *tb;
  return a < b;
}

struct EventView {
  uint32_t index = 0;
  std::vector<uint32_t> members;  // article indices, time order
  std::optional<absl::Time> first, last;
  std::vector<std::string> outlets;
};

struct StoryView {
  uint32_t index = 0;
  std::vector<EventView> events;  // time order
  std::optional<absl::Time> first, last;
  size_t articles = 0;
};

void Widen(std::optional<absl::Time>& first, std::optional<absl::Time>& last,
           const std::optional<absl::Time>& t) {
  if (!t) return;
  first = first ? std::min(*first, *t) : *t;
  last = last ? std::max(*last, *t) : *t;
}

// Groups articles into storylines -> events -> members, all in time order.
std::vector<StoryView> BuildViews(const IngestResult& ingest,
                                  const Clustering& c) {
  const std::vector<Article>& articles = ingest.articles;
  std::vector<EventView> events(c.num_events);
  for (uint32_t e = 0; e < c.num_events; ++e) events[e].index = e;
  for (uint32_t i = 0; i < articles.size(); ++i) {
    EventView& e = events[c.assignments[i].event];
    e.members.push_back(i);
    Widen(e.first, e.last, articles[i].published);
  }
  std::vector<StoryView> stories(c.num_stories);
  for (uint32_t s = 0; s < c.num_stories; ++s) stories[s].index = s;
  for (EventView& e : events) {
    if (e.members.empty()) continue;
    std::sort(e.members.begin(), e.members.end(), [&](uint32_t a, uint32_t b) {
      return Earlier(articles[a].published, a, articles[b].published, b);
    });
    for (uint32_t m : e.members) {
      if (!articles[m].source.empty()) e.outlets.push_back(articles[m].source);
    }
    std::sort(e.outlets.begin(), e.outlets.end());
    e.outlets.erase(std::unique(e.outlets.begin(), e.outlets.end()),
                    e.outlets.end());
    StoryView& s = stories[c.assignments[e.members.front()].story];
    Widen(s.first, s.last, e.first);
    Widen(s.first, s.last, e.last);
    s.articles += e.members.size();
    s.events.push_back(std::move(e));
  }
  // Ids without members (an index snapshot's numbering has gaps where
  // ids are held by articles outside it) are not shown.
  stories.erase(
      std::remove_if(stories.begin(), stories.end(),
                     [](const StoryView& s) { return s.events.empty(); }),
      stories.end());
  for (StoryView& s : stories) {
    std::sort(s.events.begin(), s.events.end(),
              [](const EventView& a, const EventView& b) {
                return Earlier(a.first, a.index, b.first, b.index);
              });
  }
  std::sort(stories.begin(), stories.end(),
            [](const StoryView& a, const StoryView& b) {
              return Earlier(a.first, a.index, b.first, b.index);
            });
  return stories;
}

std::string EventTitle(const IngestResult& ingest, const Clustering& c,
                       const EventView& e) {
  const Article& rep = ingest.articles[c.event_representative[e.index]];
  if (!rep.title.empty()) return rep.title;
  for (uint32_t m : e.members) {
    if (!ingest.articles[m].title.empty()) return ingest.articles[m].title;
  }
  return rep.text.substr(0, std::min<size_t>(rep.text.find('\n'), 120));
}

std::string FormatTsv(const IngestResult& ingest, const Clustering& c) {
  std::string out = "id\tdup\tevent\tstory\n";
  for (size_t i = 0; i < ingest.articles.size(); ++i) {
    const Assignment& a = c.assignments[i];
    absl::StrAppend(&out, ingest.articles[i].id, "\t",
                    ClusterId('d', a.copy_group), "\t", ClusterId('e', a.event),
                    "\t", ClusterId('s', a.story), "\n");
  }
  return out;
}

// How many of each level's clusters have members: the cluster counts
// (Clustering's num_* are the numbering's bounds, which has gaps in an
// index snapshot).
struct ClusterCounts {
  size_t copy_groups = 0, events = 0, stories = 0;
};
ClusterCounts CountClusters(const Clustering& c) {
  std::vector<bool> copy(c.num_copy_groups), event(c.num_events),
      story(c.num_stories);
  ClusterCounts n;
  for (const Assignment& a : c.assignments) {
    n.copy_groups += !copy[a.copy_group];
    n.events += !event[a.event];
    n.stories += !story[a.story];
    copy[a.copy_group] = event[a.event] = story[a.story] = true;
  }
  return n;
}

Json StatsJson(const IngestResult& ingest, const Clustering& c) {
  Json stats;
  stats["read"] = ingest.stats.read;
  stats["accepted"] = ingest.stats.accepted;
  stats["rejected"] = ingest.stats.rejected;
  stats["blank_lines"] = ingest.stats.blank_lines;
  stats["ignored_files"] = ingest.stats.ignored_files;
  stats["bytes"] = ingest.stats.bytes;
  const ClusterCounts n = CountClusters(c);
  stats["copy_groups"] = n.copy_groups;
  stats["events"] = n.events;
  stats["storylines"] = n.stories;
  return stats;
}

std::string FormatJson(const IngestResult& ingest, const Clustering& c) {
  // Built and serialised one storyline at a time to bound memory.
  std::string out = "{\"storylines\":[";
  bool first_story = true;
  for (const StoryView& s : BuildViews(ingest, c)) {
    Json story;
    story["id"] = ClusterId('s', s.index);
    story["start"] = TimeJson(s.first);
    story["end"] = TimeJson(s.last);
    story["articles"] = s.articles;
    Json events = Json::array();
    for (const EventView& e : s.events) {
      Json event;
      event["id"] = ClusterId('e', e.index);
      event["title"] = EventTitle(ingest, c, e);
      event["start"] = TimeJson(e.first);
      event["end"] = TimeJson(e.last);
      event["outlets"] = e.outlets;
      Json members = Json::array();
      for (uint32_t m : e.members) {
        const Article& a = ingest.articles[m];
        Json member;
        member["id"] = a.id;
        member["title"] = a.title;
        member["source"] = a.source;
        member["published"] = TimeJson(a.published);
        member["url"] = a.url;
        member["dup"] = ClusterId('d', c.assignments[m].copy_group);
        member["original"] = c.assignments[m].original;
        members.push_back(std::move(member));
      }
      event["members"] = std::move(members);
      events.push_back(std::move(event));
    }
    story["events"] = std::move(events);
    absl::StrAppend(&out, first_story ? "\n" : ",\n",
                    story.dump(-1, ' ', false, Json::error_handler_t::replace));
    first_story = false;
  }
  Json tail;
  tail["stats"] = StatsJson(ingest, c);
  output_internal::AddInputReport(ingest, tail);
  output_internal::CloseWithTail(tail, &out);
  return out;
}

std::string FormatText(const IngestResult& ingest, const Clustering& c) {
  std::string out;
  const std::vector<StoryView> stories = BuildViews(ingest, c);
  const ClusterCounts n = CountClusters(c);
  absl::StrAppend(&out, ingest.stats.accepted, " articles -> ", n.copy_groups,
                  " copy groups, ", n.events, " events, ", n.stories,
                  " storylines\n");
  for (const StoryView& s : stories) {
    absl::StrAppend(&out, "\nStoryline ", ClusterId('s', s.index), " (",
                    s.events.size(), " events, ", s.articles, " articles",
                    s.first
                        ? absl::StrCat(", ", FormatTime(s.first).substr(0, 10),
                                       " .. ", FormatTime(s.last).substr(0, 10))
                        : std::string(),
                    ")\n");
    for (const EventView& e : s.events) {
      absl::StrAppend(
          &out, "  Event ", ClusterId('e', e.index), " ",
          e.first ? FormatTime(e.first).substr(0, 10) : "----------", "  ",
          EventTitle(ingest, c, e), "  [", absl::StrJoin(e.outlets, ", "),
          "]\n");
      for (uint32_t m : e.members) {
        const Article& a = ingest.articles[m];
        const Assignment& as = c.assignments[m];
        absl::StrAppend(
            &out, "    ", as.original ? "* " : "  ", a.id,
            a.source.empty() ? "" : absl::StrCat(" (", a.source, ")"),
            as.original
                ? ""
                : absl::StrCat("  copy of ", ClusterId('d', as.copy_group)),
            as.original ? absl::StrCat("  ", ClusterId('d', as.copy_group))
                        : "",
            "\n");
      }
    }
  }
  if (!ingest.rejections.empty()) {
    absl::StrAppend(&out, "\nRejected ", ingest.rejections.size(),
                    " input records:\n");
    for (const Rejection& r : ingest.rejections) {
      absl::StrAppend(&out, "  ", r.ToString(), "\n");
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<OutputFormat> ParseOutputFormat(std::string_view name) {
  if (name == "json") return OutputFormat::kJson;
  if (name == "tsv") return OutputFormat::kTsv;
  if (name == "text") return OutputFormat::kText;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown format '", std::string(name), "' (expected json, tsv or text)"));
}

std::string ClusterId(char level, uint32_t index) {
  return absl::StrCat(std::string(1, level), index + 1);
}

std::string FormatClustering(const IngestResult& ingest,
                             const Clustering& clustering,
                             OutputFormat format) {
  switch (format) {
    case OutputFormat::kTsv:
      return FormatTsv(ingest, clustering);
    case OutputFormat::kText:
      return FormatText(ingest, clustering);
    case OutputFormat::kJson:
      return FormatJson(ingest, clustering);
  }
  return {};
}

}  // namespace storycluster
