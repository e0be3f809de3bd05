// The storycluster command-line tool, run as a user would: output, exit
// codes, stdin, and eval parity with the reference scorer.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>

#include "test_util.h"

namespace storycluster {
namespace {

struct Run {
  int code;
  std::string out;
};

// Runs the CLI with `args` through the shell; captures stdout.
Run Cli(const std::string& args) {
  const std::string command = std::string(STORYCLUSTER_CLI) + " " + args;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string Examples() { return testing::SourceDir() + "/examples/data"; }

TEST_CASE("cli: output paths are checked first, devices written through") {
  auto dir = testing::TempDir("cli_outputs");
  const std::string err = (dir / "err.txt").string();
  // A directory, or a missing directory: usage error, before any work.
  for (const std::string& bad :
       {dir.string(), (dir / "missing" / "out.tsv").string()}) {
    INFO(bad);
    for (const std::string& flag : {"-o ", "--rejects ", "--save-df "}) {
      CHECK(Cli("cluster " + Examples() + " -q " + flag + bad + " 2>" + err)
                .code == 2);
      CHECK_THAT(testing::ReadFile(err), Catch::Contains(bad));
    }
    CHECK(Cli("generate --articles 10 -o " + bad + " 2>" + err).code == 2);
    CHECK(Cli("copies " + Examples() + " -q -o " + bad + " 2>" + err).code ==
          2);
  }
  // A device node: still a device after the run (root only: mknod).
  const std::filesystem::path node = dir / "null";
  if (std::system(
          ("mknod -m 666 " + node.string() + " c 1 3 2>" + err).c_str()) == 0) {
    CHECK(Cli("cluster " + Examples() + " -q -o " + node.string()).code == 0);
    CHECK(std::filesystem::is_character_file(node));
  } else {
    WARN("mknod failed (not root): device case skipped");
  }
  CHECK(std::filesystem::is_character_file("/dev/null"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("cli: train writes a model that cluster reads; bad models refused") {
  auto dir = testing::TempDir("cli_train");
  const auto a = dir / "a.jsonl", a_gold = dir / "a.labels.tsv";
  const auto b = dir / "b.jsonl", b_gold = dir / "b.labels.tsv";
  testing::WriteLabeledCorpus(a, a_gold, 11, 20, 4);
  testing::WriteLabeledCorpus(b, b_gold, 12, 20, 4);
  const std::string model = (dir / "model.tsv").string();
  const std::string err = (dir / "err.txt").string();
  REQUIRE(Cli("train " + a.string() + " --gold " + a_gold.string() + " " +
              b.string() + " --gold " + b_gold.string() + " -o " + model +
              " 2>" + err)
              .code == 0);
  CHECK_THAT(testing::ReadFile(err), Catch::Contains("80 articles"));
  CHECK_THAT(testing::ReadFile(model),
             Catch::StartsWith("#storycluster-pair-model\tv1\n"));
  const Run run =
      Cli("cluster " + a.string() + " --format tsv -q --pair-model " + model);
  REQUIRE(run.code == 0);
  CHECK_THAT(run.out, Catch::StartsWith("id\tdup\tevent\tstory\n"));
  // One gold file per input, else a usage error.
  CHECK(Cli("train " + a.string() + " " + b.string() + " --gold " +
            a_gold.string() + " -o " + model + " 2>" + err)
            .code == 2);
  CHECK_THAT(testing::ReadFile(err),
             Catch::Contains("one --gold or --storyline-gold file per input"));
  // Gold files of either kind pair with the inputs in command-line order.
  REQUIRE(Cli("train " + a.string() + " " + b.string() + " --storyline-gold " +
              a_gold.string() + " --gold " + b_gold.string() + " -o " + model +
              " 2>" + err)
              .code == 0);
  const std::string summary = testing::ReadFile(err);
  const size_t a_line = summary.find(a.string() + ":");
  const size_t b_line = summary.find(b.string() + ":");
  REQUIRE(a_line != std::string::npos);
  REQUIRE(b_line != std::string::npos);
  CHECK(summary.find("in one storyline, left out", a_line) < b_line);
  CHECK(summary.find("in one event", b_line) != std::string::npos);
  // A model file of another version is refused, naming the file and line.
  testing::WriteFile(dir / "v9.tsv", "#storycluster-pair-model\tv9\n");
  CHECK(Cli("cluster " + a.string() + " -q --pair-model " +
            (dir / "v9.tsv").string() + " 2>" + err)
            .code == 2);
  CHECK_THAT(testing::ReadFile(err), Catch::Contains("v9.tsv:1:"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("cli: help and usage errors") {
  CHECK(Cli("--help").code == 0);
  CHECK_THAT(Cli("cluster --help").out, Catch::Contains("--format"));
  CHECK_THAT(Cli("eval --help").out, Catch::Contains("--gold"));
  CHECK(Cli("2>/dev/null").code == 2);          // no subcommand
  CHECK(Cli("cluster 2>/dev/null").code == 2);  // no input
  CHECK(Cli("cluster /no/such/dir 2>/dev/null").code == 2);
  CHECK(Cli("cluster " + Examples() + " --format xml 2>/dev/null").code == 2);
  CHECK(Cli("cluster " + Examples() + " --field colour=x 2>/dev/null").code ==
        2);
}

TEST_CASE("cli: cluster the example corpus to TSV and JSON files") {
  auto dir = testing::TempDir("cli_cluster");
  const Run tsv = Cli("cluster " + Examples() + " --format tsv -q -o " +
                      (dir / "out.tsv").string());
  CHECK(tsv.code == 0);
  const std::string text = testing::ReadFile((dir / "out.tsv").string());
  CHECK_THAT(text, Catch::StartsWith("id\tdup\tevent\tstory\n"));
  CHECK(std::count(text.begin(), text.end(), '\n') > 15);
  const Run json = Cli("cluster " + Examples() + " -q");
  CHECK(json.code == 0);
  CHECK_THAT(json.out, Catch::StartsWith("{\"storylines\":["));
  std::filesystem::remove_all(dir);
}

TEST_CASE("cli: rejected input gives exit status 1 and is listed") {
  auto dir = testing::TempDir("cli_reject");
  testing::WriteFile(dir / "in.jsonl",
                     "{\"id\":\"a\",\"text\":\"fine text here\"}\n{broken\n");
  const Run r = Cli("cluster " + (dir / "in.jsonl").string() +
                    " --format tsv -q --rejects " + (dir / "rej.tsv").string());
  CHECK(r.code == 1);
  CHECK(r.out == "id\tdup\tevent\tstory\na\td1\te1\ts1\n");
  CHECK_THAT(testing::ReadFile((dir / "rej.tsv").string()),
             Catch::Contains("in.jsonl\t2\tinvalid JSON\t"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("cli: JSON Lines from standard input") {
  auto dir = testing::TempDir("cli_stdin");
  testing::WriteFile(dir / "in.jsonl",
                     "{\"id\":\"s1\",\"text\":\"one two three\"}\n");
  const Run r =
      Cli("cluster - --format tsv -q < " + (dir / "in.jsonl").string());
  CHECK(r.code == 0);
  CHECK(r.out == "id\tdup\tevent\tstory\ns1\td1\te1\ts1\n");
  std::filesystem::remove_all(dir);
}

TEST_CASE("cli: copies finds the wire copies of the example corpus") {
  const Run r = Cli("copies " + Examples() + " --format tsv -q");
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::StartsWith("id\tdup\n"));
  auto group_of = [&](const std::string& id) {
    const size_t at = r.out.find("\n" + id + "\t");
    REQUIRE(at != std::string::npos);
    const size_t start = at + id.size() + 2;
    return r.out.substr(start, r.out.find('\n', start) - start);
  };
  const std::string wire = group_of("northwire-0303-strike");
  CHECK(group_of("coastal-herald-0303") == wire);
  CHECK(group_of("valley-post-0303") == wire);
  CHECK(group_of("metro-daily-0303") == wire);
  CHECK(group_of("freight-weekly-0303") != wire);  // a rewrite, not a copy
  CHECK(group_of("skyline-0317-talks") == group_of("northwire-0317-talks"));
  const Run json = Cli("copies " + Examples() + " -q");
  CHECK_THAT(json.out,
             Catch::Contains("\"original\":\"northwire-0303-strike\""));
}

TEST_CASE(
    "cli: the old names dedup, --threshold and --dup-jaccard still work") {
  // docs/pipeline.md (Names) lists them as aliases; each must give what its new
  // name gives, byte for byte.
  const std::string in = Examples() + " --format tsv -q";
  const Run copies = Cli("copies " + in + " --copy-jaccard 0.4");
  REQUIRE(copies.code == 0);
  REQUIRE(copies.out.size() > 100);
  CHECK(Cli("dedup " + in + " --copy-jaccard 0.4").out == copies.out);
  CHECK(Cli("copies " + in + " --threshold 0.4").out == copies.out);
  // The threshold alone decides once containment is off.
  const std::string jaccard_only = in + " --copy-containment 0";
  CHECK(Cli("copies " + jaccard_only + " --copy-jaccard 0.9").out !=
        Cli("copies " + jaccard_only + " --threshold 0.4").out);
  const Run cluster = Cli("cluster " + in + " --copy-jaccard 0.4");
  REQUIRE(cluster.code == 0);
  CHECK(Cli("cluster " + in + " --dup-jaccard 0.4").out == cluster.out);
}

TEST_CASE("cli: --event-cohesion reaches the event linkage") {
  // The default ratio gives the default output; without the cohesion test
  // more clusters of the example corpus merge, so its events change; out
  // of range is a usage error.
  const std::string in = "cluster " + Examples() + " --format tsv -q";
  const Run base = Cli(in);
  REQUIRE(base.code == 0);
  REQUIRE(base.out.size() > 500);
  CHECK(Cli(in + " --event-cohesion 0.5").out == base.out);
  CHECK(Cli(in + " --event-cohesion 0").out != base.out);
  CHECK(Cli(in + " --event-cohesion 1.5 2>/dev/null").code == 2);
}

TEST_CASE("cli: the common-wording rule's knobs reach copy detection") {
  // Daily market reports that share most of their words: the rule decides
  // which of them are copies, so turning it off or lowering its floor
  // changes the groups; out-of-range values are usage errors.
  auto dir = testing::TempDir("cli_common");
  const std::string corpus = (dir / "t.jsonl").string();
  REQUIRE(Cli("generate --kind template --articles 400 --seed 3 -o " + corpus)
              .code == 0);
  const std::string in = "copies " + corpus + " --format tsv -q";
  const Run base = Cli(in);
  REQUIRE(base.code == 0);
  REQUIRE(base.out.size() > 1000);
  CHECK(Cli(in + " --copy-common-articles 64").out == base.out);
  CHECK(Cli(in + " --copy-common-articles 0").out != base.out);
  CHECK(Cli(in + " --copy-min-own 0").out != base.out);
  CHECK(Cli(in + " --copy-common-articles 255 2>/dev/null").code == 2);
  CHECK(Cli(in + " --copy-own-share 1.5 2>/dev/null").code == 2);
  std::filesystem::remove_all(dir);
}

TEST_CASE("cli: generate, copies and eval a synthetic corpus") {
  auto dir = testing::TempDir("cli_generate");
  const std::string corpus = (dir / "c.jsonl").string();
  const std::string labels = (dir / "c.labels.tsv").string();
  const std::string pred = (dir / "c.copies.tsv").string();
  REQUIRE(Cli("generate --articles 400 --seed 3 -o " + corpus + " --labels " +
              labels)
              .code == 0);
  REQUIRE(Cli("copies " + corpus + " --format tsv -q -o " + pred).code == 0);
  const Run eval =
      Cli("eval --gold " + labels + " --pred " + pred + " --pred-column dup");
  CHECK(eval.code == 0);
  CHECK_THAT(eval.out, Catch::StartsWith("{\"docs\": 400,"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("cli: the output is the same for any number of threads") {
  auto dir = testing::TempDir("cli_threads");
  const std::string corpus = (dir / "c.jsonl").string();
  REQUIRE(Cli("generate --articles 3000 --seed 11 -o " + corpus).code == 0);
  for (const std::string input : {corpus, Examples()}) {
    for (const std::string command : {"cluster", "copies"}) {
      for (const std::string format : {"tsv", "json"}) {
        const std::string base =
            command + " " + input + " -q --format " + format + " -j ";
        const Run one = Cli(base + "1");
        REQUIRE(one.code == 0);
        REQUIRE(one.out.size() > 100);
        for (const char* threads : {"2", "3", "0"}) {
          INFO(base << threads);
          const Run many = Cli(base + threads);
          CHECK(many.code == 0);
          CHECK(many.out == one.out);
        }
      }
    }
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("cli: files streamed in two passes and stdin held in memory agree") {
  auto dir = testing::TempDir("cli_streamed");
  const std::string corpus = (dir / "c.jsonl").string();
  REQUIRE(Cli("generate --articles 3000 --seed 11 -o " + corpus).code == 0);
  for (const std::string command : {"cluster", "copies"}) {
    for (const std::string format : {"tsv", "json"}) {
      INFO(command << " " << format);
      const std::string options = " -q -j 2 --format " + format;
      const Run file = Cli(command + " " + corpus + options);
      const Run stdin_run = Cli(command + " -" + options + " < " + corpus);
      REQUIRE(file.code == 0);
      REQUIRE(file.out.size() > 1000);
      CHECK(stdin_run.code == 0);
      CHECK(stdin_run.out == file.out);
    }
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE(
    "cli: --stage-times lists each stage with its wall and CPU time and "
    "memory") {
  auto dir = testing::TempDir("cli_stages");
  const std::string corpus = (dir / "c.jsonl").string();
  const std::string err = (dir / "err.txt").string();
  REQUIRE(Cli("generate --articles 500 --seed 2 -o " + corpus).code == 0);
  const std::vector<std::pair<std::string, std::vector<std::string>>> runs = {
      {"copies " + corpus, {"ingest", "features", "copies"}},
      {"copies - < " + corpus, {"ingest", "features", "copies"}},
      {"cluster " + corpus,
       {"ingest", "features", "copies", "event candidates",
        "storyline linkage"}}};
  for (const auto& [command, stages] : runs) {
    INFO(command);
    REQUIRE(Cli(command + " -q --stage-times -o " + (dir / "out").string() +
                " 2>" + err)
                .code == 0);
    const std::string text = testing::ReadFile(err);
    size_t at = 0;
    for (const std::string& stage : stages) {  // present, in order
      at = text.find("stage " + stage + ": ", at);
      CHECK(at != std::string::npos);
    }
    CHECK(text.find(" s, CPU ") != std::string::npos);
    CHECK(text.find(" s, RSS ") != std::string::npos);
    CHECK(text.find(" MB, peak ") != std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("cli: progress line only on a terminal and never with --quiet") {
  auto dir = testing::TempDir("cli_progress");
  const std::string corpus = (dir / "c.jsonl").string();
  const std::string err = (dir / "err.txt").string();
  REQUIRE(Cli("generate --articles 2000 --seed 5 -o " + corpus).code == 0);
  // Not a terminal: the summary, no progress line.
  const std::string out = (dir / "out.tsv").string();
  REQUIRE(
      Cli("copies " + corpus + " --format tsv -o " + out + " 2>" + err).code ==
      0);
  std::string text = testing::ReadFile(err);
  CHECK_THAT(text, Catch::StartsWith("read 2000 records"));
  CHECK(text.find('\r') == std::string::npos);
  // A terminal (util-linux `script` gives the run a pseudo-terminal).
  if (std::system("command -v script >/dev/null 2>&1") != 0) {
    WARN("script(1) not installed: terminal case skipped");
    return;
  }
  const std::string run = std::string(STORYCLUSTER_CLI) + " copies " + corpus +
                          " --format tsv -o " + out;
  REQUIRE(std::system(
              ("script -qec '" + run + "' " + err + " >/dev/null").c_str()) ==
          0);
  text = testing::ReadFile(err);
  CHECK(text.find("features: ") != std::string::npos);
  CHECK(text.find(" articles, ") != std::string::npos);
  CHECK(text.find("ETA ") != std::string::npos);
  REQUIRE(std::system(("script -qec '" + run + " -q' " + err + " >/dev/null")
                          .c_str()) == 0);
  text = testing::ReadFile(err);
  CHECK(text.find("features: ") == std::string::npos);
  CHECK(text.find("read 2000") == std::string::npos);
  std::filesystem::remove_all(dir);
}

// Runs the CLI with `args`, sends SIGKILL after `delay_ms` (if it is still
// running; a negative delay lets it finish) and waits for it.
void RunAndKill(const std::vector<std::string>& args, int delay_ms) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(STORYCLUSTER_CLI));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(STORYCLUSTER_CLI, argv.data());
    ::_exit(127);
  }
  if (delay_ms >= 0) {
    ::usleep(static_cast<useconds_t>(delay_ms) * 1000);
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
}

TEST_CASE("cli: a run killed at any moment leaves the old or the new file") {
  auto dir = testing::TempDir("cli_kill");
  const std::string out = (dir / "corpus.jsonl").string();
  const std::vector<std::string> args = {
      "generate", "--articles", "40000", "--seed", "5", "-o", out};
  RunAndKill(args, -1);  // a complete run gives the reference
  const std::string reference = testing::ReadFile(out);
  REQUIRE(reference.size() > (size_t{50} << 20));
  const std::string old = "previous contents\n";
  int saw_old = 0, saw_new = 0;
  for (int delay : {5, 50, 150, 300, 600, 900, 1200, 1600, 2000, 2600}) {
    testing::WriteFile(out, old);
    RunAndKill(args, delay);
    const std::string now = testing::ReadFile(out);
    INFO("killed after " << delay << " ms");
    const bool is_old = now == old, is_new = now == reference;
    CHECK((is_old || is_new));
    saw_old += is_old;
    saw_new += is_new;
  }
  INFO("old " << saw_old << ", new " << saw_new);
  CHECK(saw_old > 0);  // some kills landed before the rename
  // A killed run may leave its hidden temporary file, never a partial target.
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    CHECK((name == "corpus.jsonl" || name.starts_with(".corpus.jsonl.tmp.")));
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("cli: the seeds are read and all five listed") {
  if (!testing::HaveShared("seeds")) {
    WARN("../shared/seeds not present: seed CLI test skipped");
    return;
  }
  const Run r =
      Cli("cluster " + testing::SharedDir() + "/seeds --format tsv -q");
  CHECK(r.code == 0);
  for (const char* id :
       {"benzinga.txt", "breitbart.txt", "cnn.md", "reuters.txt", "scmp.txt"}) {
    CHECK_THAT(r.out, Catch::Contains(std::string("\n") + id + "\t"));
  }
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 6);
}

TEST_CASE("cli: eval prints exactly what the reference scorer prints") {
  const std::string script = testing::SharedDir() + "/tools/score.py";
  if (!testing::HaveShared("tools/score.py") ||
      !testing::HaveShared("data/dev") ||
      std::system("python3 --version >/dev/null 2>&1") != 0) {
    WARN(
        "../shared/tools/score.py, dev data or python3 missing: "
        "eval parity test skipped");
    return;
  }
  auto dir = testing::TempDir("cli_eval");
  for (const char* set : {"ecbplus", "basil"}) {
    const std::string data = testing::SharedDir() + "/data/dev/" + set;
    const std::string pred = (dir / (std::string(set) + ".tsv")).string();
    REQUIRE(Cli("cluster " + data + ".jsonl --format tsv -q -o " + pred).code ==
            0);
    for (const char* level : {"event", "story"}) {
      INFO(set << " " << level);
      const Run ours = Cli("eval --gold " + data + ".labels.tsv --pred " +
                           pred + " --level " + level);
      std::FILE* p = ::popen(("python3 " + script + " " + data +
                              ".labels.tsv " + pred + " --column " + level)
                                 .c_str(),
                             "r");
      REQUIRE(p != nullptr);
      std::string theirs;
      char buf[4096];
      size_t n;
      while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0)
        theirs.append(buf, n);
      ::pclose(p);
      CHECK(ours.code == 0);
      CHECK(ours.out == theirs);
    }
    // Also the dup column, scored as a clustering of events.
    const Run ours = Cli("eval --gold " + data + ".labels.tsv --pred " + pred +
                         " --pred-column dup");
    CHECK(ours.code == 0);
    CHECK_THAT(ours.out, Catch::StartsWith("{\"docs\": "));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace storycluster
