// Internal: the vocabulary and sentence makers the synthetic generators
// share (synthetic.cc, edited.cc). Names and places are invented from
// syllables, so originals share only the template wording of news prose.
#ifndef STORYCLUSTER_LIB_SYNTHETIC_VOCABULARY_H_
#define STORYCLUSTER_LIB_SYNTHETIC_VOCABULARY_H_

#include <cstddef>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace storycluster {
namespace synthetic {

using Rng = std::mt19937_64;

inline constexpr const char* kSyllables[] = {
    "ka",  "lo",  "mi",  "ra",  "te",  "vo",  "sen", "dar", "lin", "bor",
    "hal", "ven", "tor", "mar", "ste", "ga",  "ne",  "ru",  "pel", "qui",
    "zan", "fa",  "do",  "mel", "wic", "ost", "ber", "cal", "eri", "jun"};
inline constexpr const char* kNouns[] = {
    "budget",  "election",  "strike",   "court",     "bridge",  "factory",
    "harbour", "hospital",  "report",   "pipeline",  "treaty",  "festival",
    "airport", "school",    "railway",  "reservoir", "market",  "tariff",
    "protest", "merger",    "vaccine",  "stadium",   "council", "wildfire",
    "flood",   "satellite", "contract", "inquiry",   "reform",  "subsidy"};
inline constexpr const char* kVerbs[] = {
    "approved",  "rejected", "delayed",    "announced", "criticised",
    "defended",  "proposed", "suspended",  "reviewed",  "expanded",
    "cancelled", "funded",   "questioned", "postponed", "confirmed"};
inline constexpr const char* kRoles[] = {
    "minister", "mayor",        "spokesperson", "director",
    "analyst",  "union leader", "judge",        "chief executive"};
inline constexpr const char* kTemplates[] = {
    "{P} said on {D} that the {N} in {L} would be {V} after months of talks.",
    "The {N} was {V} by {O}, according to documents seen by reporters.",
    "Officials in {L} estimated the cost at {X} million, up from {Y} million "
    "last year.",
    "\"We have waited long enough,\" said {P}, the {R} of {O}.",
    "{O} {V} the plan on {D}, citing concerns about the {N}.",
    "Residents of {L} gathered outside the {N} for a second day.",
    "About {X} people were affected, the {R} told a news conference.",
    "{P} is expected to meet representatives of {O} in {L} next week.",
    "Critics say the {N} has been {V} without proper scrutiny.",
    "The decision follows a {N} in {L} that drew {X} complaints.",
    "Shares in {O} fell {Z} percent in early trading on {D}.",
    "{P} declined to comment on whether the {N} would be {V} again.",
    "A spokesperson for {O} said the {N} remained under review.",
    "Local media in {L} reported that {X} staff had been {V}.",
    "The {R} {P} warned that the {N} could cost {L} {Y} million.",
    "Under the proposal, the {N} would be {V} by the end of the year.",
    "Opposition lawmakers in {L} {V} the move as premature.",
    "{O} has {V} similar projects in {L} and elsewhere since {W}.",
    "Figures published on {D} showed a {Z} percent rise in {N} costs.",
    "{P}, who has led {O} since {W}, said the {N} was a priority.",
};
inline constexpr const char* kDays[] = {"Monday",   "Tuesday", "Wednesday",
                                        "Thursday", "Friday",  "Saturday",
                                        "Sunday"};
inline constexpr const char* kOutlets[] = {
    "Northwire",    "Coastal Herald", "Valley Post",   "Metro Daily",
    "Skyline News", "Freight Weekly", "Harbour Times", "Daily Ledger"};
inline constexpr const char* kBoilerplate[] = {
    "Advertisement",
    "Subscribe to our morning briefing for the day's top stories.",
    "Follow us on Facebook and Twitter.",
    "Reading Time: 3 minutes",
    "Copyright 2025 Northwire. All rights reserved.",
    "Download the app for breaking news alerts.",
    "This story has been updated with additional details.",
    "Our journalists are on the ground covering this story.",
};
inline constexpr const char* kSynonyms[][2] = {
    {"said", "stated"},           {"would", "will"},   {"about", "around"},
    {"officials", "authorities"}, {"expected", "set"}, {"plan", "proposal"},
    {"people", "residents"},      {"fell", "dropped"}, {"next", "the coming"},
    {"showed", "indicated"}};

template <typename T, size_t N>
const char* Pick(Rng& rng, const T (&list)[N]) {
  return list[std::uniform_int_distribution<size_t>(0, N - 1)(rng)];
}

// A name of `syllables` syllables, capitalised.
std::string Name(Rng& rng, int syllables);

// The recurring cast of one story.
struct Cast {
  std::string person, org, place, noun;
};
Cast MakeCast(Rng& rng);

// `tmpl` with its slots ({P}erson, {O}rg, {L}ocation, {N}oun, {V}erb,
// {R}ole, {D}ay, numbers {X} {Y} {Z} {W}) filled, mostly from `cast`.
std::string Fill(Rng& rng, std::string_view tmpl, const Cast& cast);

// Sentences from the templates, about `bytes` in all.
std::vector<std::string> NewsSentences(Rng& rng, const Cast& cast,
                                       size_t bytes);

// A few words replaced by synonyms, or two neighbouring words swapped.
std::string Reword(Rng& rng, const std::string& sentence);

}  // namespace synthetic
}  // namespace storycluster

#endif  // STORYCLUSTER_LIB_SYNTHETIC_VOCABULARY_H_
