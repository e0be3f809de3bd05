// Evaluation metrics on hand-computed cases.
#include "storycluster/eval.h"

#include <catch2/catch.hpp>

namespace storycluster {
namespace {

const char* kGold =
    "id\tevent\tstory\n"
    "a\t1\tS\nb\t1\tS\nc\t2\tS\nd\t2\tS\n";

TEST_CASE("perfect prediction scores 1 everywhere") {
  auto s = Evaluate(kGold, "id\tevent\na\tx\nb\tx\nc\ty\nd\ty\n");
  REQUIRE(s.ok());
  CHECK(ScoresToJson(*s) ==
        "{\"docs\": 4, \"gold_clusters\": 2, \"pred_clusters\": 2, "
        "\"missing\": 0, \"bcubed_p\": 1.0, \"bcubed_r\": 1.0, "
        "\"bcubed_f1\": 1.0, \"pair_p\": 1.0, \"pair_r\": 1.0, \"pair_f1\": "
        "1.0, \"ari\": 1.0}");
}

TEST_CASE("all-in-one prediction: hand-computed values") {
  auto s =
      Evaluate(kGold, "id\tdup\tevent\na\t1\tz\nb\t2\tz\nc\t3\tz\nd\t4\tz\n");
  REQUIRE(s.ok());
  CHECK(s->bcubed_p == Approx(0.5));
  CHECK(s->bcubed_r == Approx(1.0));
  CHECK(s->pair_p == Approx(2.0 / 6.0));
  CHECK(s->pair_r == Approx(1.0));
  CHECK(s->ari == Approx(0.0));
  CHECK(s->pred_clusters == 1);
}

TEST_CASE("missing ids count as singletons, story level and columns") {
  auto s = Evaluate(kGold, "a\tx\nb\tx\n");  // no header, c and d missing
  REQUIRE(s.ok());
  CHECK(s->missing == 2);
  CHECK(s->pred_clusters == 3);
  EvalOptions story;
  story.column = "story";
  auto t = Evaluate(kGold, "id\tstory\na\tq\nb\tq\nc\tq\nd\tq\n", story);
  REQUIRE(t.ok());
  CHECK(t->bcubed_f1 == Approx(1.0));
  EvalOptions by_index;
  by_index.pred_column = "2";
  auto u = Evaluate(kGold, "id\tx\ty\na\t1\tp\nb\t2\tp\nc\t3\tq\nd\t4\tq\n",
                    by_index);
  REQUIRE(u.ok());
  CHECK(u->bcubed_f1 == Approx(1.0));
  CHECK_FALSE(Evaluate("id\tfoo\n", "id\tevent\n").ok());
  CHECK_FALSE(EvaluateFiles("/no/such/gold.tsv", "/no/such/pred.tsv").ok());
}

}  // namespace
}  // namespace storycluster
