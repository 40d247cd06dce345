#include <gtest/gtest.h>

#include "loco/error.h"
#include "loco/nudges.h"
#include "loco/registry.h"

namespace loco {
namespace {

TEST(Nudges, DefaultsTakenInTurnPerEvalType) {
  for (EvalType t : {EvalType::None, EvalType::Numeric, EvalType::MultipleChoice, EvalType::Code, EvalType::Analysis,
                     EvalType::FreeText}) {
    const auto& list = default_nudges(t);
    ASSERT_GE(list.size(), 2u);
    EXPECT_EQ(nudge_for(t, std::nullopt, 0), list[0]);
    EXPECT_EQ(nudge_for(t, std::nullopt, 1), list[1]);
    EXPECT_EQ(nudge_for(t, std::nullopt, static_cast<int>(list.size())), list[0]);  // round again
  }
  EXPECT_NE(default_nudges(EvalType::Numeric)[0].find("calculation"), std::string::npos);
  EXPECT_NE(default_nudges(EvalType::Code)[0].find("Run it"), std::string::npos);
}

TEST(Nudges, AnAdapterListReplacesTheDefaultsAndAnEmptyOneTurnsThemOff) {
  const std::vector<std::string> own = {"Derive it again with units.", "Draw the diagram."};
  EXPECT_EQ(nudge_for(EvalType::Numeric, own, 0), own[0]);
  EXPECT_EQ(nudge_for(EvalType::Numeric, own, 3), own[1]);
  EXPECT_EQ(nudge_for(EvalType::Numeric, std::vector<std::string>{}, 0), std::nullopt);
}

TEST(Nudges, RegistryReadsAndWritesThem) {
  const Registry r = Registry::parse(
      "adapters:\n"
      "  physics:\n    type: lora-gguf\n    path: p.gguf\n    nudges: [\"Check the units.\", \"Estimate first.\"]\n"
      "  quiet:\n    type: lora-gguf\n    path: q.gguf\n    nudges: []\n"
      "  plain:\n    type: lora-gguf\n    path: x.gguf\n",
      "/r/registry.yaml");
  ASSERT_TRUE(r.find("physics")->nudges.has_value());
  EXPECT_EQ(*r.find("physics")->nudges, (std::vector<std::string>{"Check the units.", "Estimate first."}));
  ASSERT_TRUE(r.find("quiet")->nudges.has_value());
  EXPECT_TRUE(r.find("quiet")->nudges->empty());
  EXPECT_FALSE(r.find("plain")->nudges.has_value());
  const Registry back = Registry::parse(r.to_yaml(), "/r/registry.yaml");
  EXPECT_EQ(back.find("physics")->nudges, r.find("physics")->nudges);
  EXPECT_EQ(back.find("quiet")->nudges, r.find("quiet")->nudges);
  EXPECT_FALSE(back.find("plain")->nudges.has_value());
  EXPECT_THROW(Registry::parse("adapters:\n  bad:\n    type: lora-gguf\n    path: b.gguf\n    nudges: 3\n", "/r/x.yaml"),
               Error);
}

}  // namespace
}  // namespace loco
