// TextNormalizer: punctuation unification and NFKC case folding.
#include <catch2/catch.hpp>

#include "storycluster/text.h"

namespace storycluster {
namespace {

TEST_CASE("normalization unifies quotes and dashes and folds case") {
  auto n = TextNormalizer::Create();
  REQUIRE(n.ok());
  CHECK((*n)->Normalize("\xE2\x80\x9CIt\xE2\x80\x99s\xE2\x80\x9D \xE2\x80\x94"
                        " OK") == "\"it's\" - ok");
  CHECK((*n)->Normalize("\xEF\xAC\x81"
                        "ve \xEF\xBC\xA1\xEF\xBC\xA2") == "five ab");
  CHECK((*n)->Normalize("\xC2\xAB"
                        "Bonjour\xC2\xBB") == "\"bonjour\"");
  CHECK((*n)->Normalize("\xE2\x85\xA0") == "i");  // Roman numeral one
  CHECK((*n)->Normalize("") == "");
  // Invalid UTF-8 becomes U+FFFD instead of failing.
  CHECK((*n)->Normalize("a\xFF"
                        "b") ==
        "a\xEF\xBF\xBD"
        "b");
}

}  // namespace
}  // namespace storycluster
