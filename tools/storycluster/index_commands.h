// Internal to the command-line tool: `storycluster index create|add|export|
// show|stats` and `storycluster stream`, over the persistent index
// (storycluster/index.h).
#ifndef STORYCLUSTER_TOOLS_STORYCLUSTER_INDEX_COMMANDS_H_
#define STORYCLUSTER_TOOLS_STORYCLUSTER_INDEX_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "tools/storycluster/cli_common.h"

namespace storycluster_cli {

struct IndexArgs {
  std::string db;
  double window_days = storycluster::IndexOptions{}.window_days;
  double busy_seconds = 5;
  InputArgs in;  // add
  bool stages = false;
  std::string format = "json";        // export
  std::string output = "-";           // export, show, stats
  std::string article, event, story;  // show
  std::string before;                 // compact
  // stream
  size_t batch_articles = 1000;
  double batch_seconds = 1.0;

  CLI::App* index = nullptr;
  CLI::App* create = nullptr;
  CLI::App* add = nullptr;
  CLI::App* export_ = nullptr;
  CLI::App* show = nullptr;
  CLI::App* stats = nullptr;
  CLI::App* compact = nullptr;
  CLI::App* migrate = nullptr;
  CLI::App* stream = nullptr;
};

void AddIndexCommands(CLI::App& app, IndexArgs* args);

// The exit code of the index command that was parsed; nullopt when none
// was.
std::optional<int> RunIndexCommands(const IndexArgs& args);

}  // namespace storycluster_cli

#endif  // STORYCLUSTER_TOOLS_STORYCLUSTER_INDEX_COMMANDS_H_
