// The single Catch2 main shared by every test binary, with two additions
// that keep ctest honest:
//
// * `--write-ctest-script FILE PREFIX WORKDIR` writes the CTest script that
//   registers one ctest entry per test case (tests/CMakeLists.txt runs it
//   after each build). Catch's own discovery goes through CMake lists, which
//   split a case name at ';' into entries whose filters match nothing, and
//   it escapes neither '\' nor '"'. Here each name is written as a CMake
//   bracket argument (no list splitting, no escapes) and its Catch filter is
//   escaped and then checked with Catch's own parser to select exactly that
//   one case; a name that cannot be selected alone fails the build.
// * With STORYCLUSTER_CASE_LOG set, every test case that starts appends
//   "binary<TAB>case" to that file, so scripts/check_cases.sh can show that
//   each listed case ran exactly once under ctest.
#define CATCH_CONFIG_RUNNER
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>

namespace {

std::string& BinaryName() {
  static std::string name;
  return name;
}

// A Catch test spec that names `name` literally: every character the spec
// parser treats specially is preceded by a backslash.
std::string EscapeForSpec(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (std::strchr("\\,[]\"~*", c) != nullptr) out += '\\';
    out += c;
  }
  return out;
}

// `text` as a CMake bracket argument: [==[text]==] with enough '=' that the
// closing bracket cannot occur inside it.
std::string Bracket(std::string_view text) {
  std::string equals;
  while (text.find("]" + equals + "]") != std::string_view::npos) {
    equals += '=';
  }
  return "[" + equals + "[" + std::string(text) + "]" + equals + "]";
}

int WriteCtestScript(const char* path, const std::string& prefix,
                     const std::string& workdir, const std::string& binary) {
  const auto& all = Catch::getRegistryHub().getTestCaseRegistry().getAllTests();
  std::string script;
  int entries = 0;
  for (const Catch::TestCase& test : all) {
    if (test.isHidden()) continue;  // as `--list-test-names-only`
    const std::string spec = EscapeForSpec(test.name);
    const Catch::TestSpec parsed =
        Catch::TestSpecParser(Catch::ITagAliasRegistry::get())
            .parse(spec)
            .testSpec();
    int selected = 0;
    for (const Catch::TestCase& other : all) {
      if (parsed.matches(other)) ++selected;
    }
    if (selected != 1 || !parsed.matches(test)) {
      std::cerr << "test case \"" << test.name << "\" (" << test.lineInfo.file
                << ":" << test.lineInfo.line
                << ") cannot be selected alone by a Catch filter (it selects "
                << selected << " cases); rename it\n";
      return 1;
    }
    const std::string name = Bracket(prefix + test.name);
    // --warn NoTests: an entry whose filter selects nothing fails instead
    // of passing with "No tests ran".
    script += "add_test(" + name + " " + Bracket(binary) + " " + Bracket(spec) +
              " --warn NoTests)\n";
    script += "set_tests_properties(" + name +
              " PROPERTIES WORKING_DIRECTORY " + Bracket(workdir) + ")\n";
    ++entries;
  }
  if (entries == 0) {
    std::cerr << binary << " has no test cases\n";
    return 1;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << script;
  out.close();
  if (!out) {
    std::cerr << "cannot write " << path << "\n";
    return 1;
  }
  return 0;
}

class CaseLog : public Catch::TestEventListenerBase {
 public:
  using TestEventListenerBase::TestEventListenerBase;
  void testCaseStarting(Catch::TestCaseInfo const& info) override {
    const char* path = std::getenv("STORYCLUSTER_CASE_LOG");
    if (path == nullptr || *path == '\0') return;
    // One write with O_APPEND per line, so entries run in parallel by
    // `ctest -j` do not interleave.
    const std::string line = BinaryName() + "\t" + info.name + "\n";
    const int fd =
        ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return;
    const ssize_t written = ::write(fd, line.data(), line.size());
    (void)written;
    ::close(fd);
  }
};

}  // namespace

CATCH_REGISTER_LISTENER(CaseLog)

int main(int argc, char* argv[]) {
  const std::string self = argv[0];
  BinaryName() = self.substr(self.find_last_of('/') + 1);
  if (argc == 5 && std::string_view(argv[1]) == "--write-ctest-script") {
    return WriteCtestScript(argv[2], argv[3], argv[4], self);
  }
  return Catch::Session().run(argc, argv);
}
