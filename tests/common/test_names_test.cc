// Test registration: a case whose name holds every character that CMake
// lists or Catch filters treat specially still gets one ctest entry that
// runs it (tests/catch_main.cc writes the entries; scripts/check_cases.sh
// counts what ran).
#include <catch2/catch.hpp>
#include <string>

namespace {

constexpr const char* kAwkwardName =
    "registration: ; , [x] \\ \" ' * ~ $ { } ( ) # = and ]] all run";

TEST_CASE("registration: ; , [x] \\ \" ' * ~ $ { } ( ) # = and ]] all run") {
  // The name reaches the running case intact: nothing was cut at ';' or
  // lost to an escape.
  CHECK(Catch::getResultCapture().getCurrentTestName() ==
        std::string(kAwkwardName));
}

}  // namespace
