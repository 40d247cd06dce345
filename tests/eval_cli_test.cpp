// `loco eval` end to end on the tiny test models: the grid's files and statistics, batch
// invariance of the batched evaluation, resuming a killed run, reports, paired comparison,
// scoring predictions made elsewhere, the overlap check, private sets and bad input. The
// models have random weights, so the answers are noise; the files and figures are not.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_runner.h"
#include "test_paths.h"

namespace loco {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

json last_json_line(const std::string& out) {
  std::istringstream in(out);
  std::string last;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) last = line;
  return json::parse(last);
}

// Wilson 95 % interval, written out here independently of the library.
std::pair<double, double> wilson(double k, double n) {
  const double z = 1.959963984540054, p = k / n, d = 1 + z * z / n;
  const double c = (p + z * z / (2 * n)) / d, h = z * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d;
  return {c - h, c + h};
}

class EvalCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::temp_dir();
    // The routed condition uses the adapters' keywords here (not the bundled classifier),
    // so which items go to which adapter can be checked by hand.
    std::filesystem::create_directories(dir_ + "/config");
    std::ofstream(dir_ + "/config/config.yaml") << "router: keyword\n";
    std::ofstream(dir_ + "/math.jsonl") << R"({"id": "m1", "question": "How many apples are 2 plus 3 apples?", "answer": 5}
{"id": "m2", "question": "What is the total of 10 and 4?", "answer": "#### 14"}
{"id": "m3", "question": "How many legs do 2 cats have?", "answer": 8}
{"id": "m4", "question": "What is 6 times 7?", "answer": 42}
)";
    std::ofstream(dir_ + "/analysis.jsonl") << R"({"question": "Passage: The sky is blue. Question: What colour is the sky?", "answer": "blue", "eval_type": "analysis"}
{"question": "Passage: Cats purr. Question: What do cats do?", "answer": "purr", "eval_type": "analysis"}
{"question": "Passage: Ice is cold. Question: Is ice hot or cold?", "answer": "cold", "eval_type": "analysis"}
)";
    std::ofstream(dir_ + "/registry.yaml")
        << "adapters:\n"
           "  math:\n"
           "    type: lora-gguf\n"
           "    path: " << test::model_path("tiny-qwen3-lora-attn.gguf") << "\n"
           "    domain: math\n"
           "    eval_dataset: " << dir_ << "/math.jsonl\n"
           "    eval_type: numeric\n"
           "    router_keywords: [\"how many\", \"total\"]\n"
           "  analysis:\n"
           "    type: lora-gguf\n"
           "    path: " << test::model_path("tiny-qwen3-lora-all.gguf") << "\n"
           "    domain: analysis\n"
           "    eval_dataset: " << dir_ << "/analysis.jsonl\n"
           "    eval_type: analysis\n"
           "    router_keywords: [\"passage\"]\n";
  }

  test::CliResult eval(std::vector<std::string> args, bool with_model = true) const {
    std::vector<std::string> all{"eval"};
    all.insert(all.end(), args.begin(), args.end());
    if (with_model) {
      for (const char* a : {"-m", "", "--registry", "", "-n", "6", "-t", "2", "-c", "512"}) all.emplace_back(a);
      all[all.size() - 9] = model_;
      all[all.size() - 7] = dir_ + "/registry.yaml";
    }
    return test::run_loco(all, {"LOCO_DATA_DIR=" + dir_ + "/data", "LOCO_CONFIG_DIR=" + dir_ + "/config"});
  }

  std::string dir_;
  const std::string model_ = test::model_path("tiny-qwen3-q8_0.gguf");
};

TEST_F(EvalCli, GridWritesEveryConditionWithHonestStatistics) {
  const std::string out = dir_ + "/grid";
  auto r = eval({"grid", "--adapter", "math", "--votes", "3", "--out", out}, true);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("verdict:"), std::string::npos) << r.out;
  const json res = json::parse(test::read_file(out + "/results.json"));
  EXPECT_EQ(res["schema"], "loco-eval/1");
  EXPECT_EQ(res["kind"], "grid");
  EXPECT_EQ(res["model"]["sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(res["set"]["items"], 4);
  // 12 grid conditions on the math set, then base and adapter on the analysis set.
  ASSERT_EQ(res["conditions"].size(), 14u);
  int on_math = 0;
  for (const json& c : res["conditions"]) {
    const double n = c["n"], k = c["correct"];
    EXPECT_DOUBLE_EQ(c["accuracy"].get<double>(), k / n);
    const auto [lo, hi] = wilson(k, n);
    EXPECT_NEAR(c["ci95"][0].get<double>(), lo, 1e-12);
    EXPECT_NEAR(c["ci95"][1].get<double>(), hi, 1e-12);
    const double p = k / n;
    EXPECT_NEAR(c["stderr"].get<double>(), n > 1 ? std::sqrt(p * (1 - p) * n / (n - 1) / n) : 0.0, 1e-12);
    if (c["set"] == "math") {
      ++on_math;
      EXPECT_EQ(c["n"], 4);
      EXPECT_TRUE(c.contains("strict"));
      EXPECT_EQ(c["samples_per_item"], c["votes"]);
    } else {
      EXPECT_EQ(c["n"], 3);
      EXPECT_TRUE(c.contains("f1"));
      EXPECT_TRUE(c.contains("rouge_l"));
    }
    if (c["mode"] == "adapter") { EXPECT_EQ(c["adapter_sha256"].get<std::string>().size(), 64u); }
  }
  EXPECT_EQ(on_math, 12);
  EXPECT_EQ(res["comparisons"].size(), 10u);
  for (const json& c : res["comparisons"]) {
    EXPECT_EQ(c["n"], 4);
    EXPECT_EQ(c["both"].get<int>() + c["only_a"].get<int>() + c["only_b"].get<int>() + c["neither"].get<int>(), 4);
    const bool zero_inside = c["ci95"][0].get<double>() <= 0 && c["ci95"][1].get<double>() >= 0;
    EXPECT_EQ(c["measurable"].get<bool>(), !zero_inside);
    if (zero_inside) { EXPECT_EQ(c["verdict"], "no measurable difference"); }
  }
  ASSERT_EQ(res["out_of_domain"].size(), 1u);
  EXPECT_EQ(res["out_of_domain"][0]["set"], "analysis");
  const std::string band = res["verdict"]["band"];
  const double points = res["verdict"]["points"];
  EXPECT_EQ(band, points >= 15 ? "ship" : points >= 5 ? "iterate" : "rethink");
  // Routed items went to the math adapter by its keywords, or to the base model.
  const auto items = lines_of(out + "/items.jsonl");
  EXPECT_EQ(items.size(), 12u * 4 + 2 * 3);
  for (const std::string& line : items) {
    const json it = json::parse(line);
    const std::string cond = it["condition"];
    if (cond.find("3 votes") != std::string::npos) {
      EXPECT_EQ(it["outputs"].size(), 3u);
    }
    if (cond.rfind("routed", 0) == 0) {
      const std::string q = it["question"];
      const bool keyword = q.find("How many") != std::string::npos || q.find("total") != std::string::npos;
      EXPECT_EQ(it["answered_by"], keyword ? "math" : "") << q;
    }
  }
  const std::string svg = test::read_file(out + "/results.svg");
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(test::read_file(out + "/results.md").find("## Verdict"), std::string::npos);
  EXPECT_EQ(lines_of(out + "/results.csv").size(), 15u);

  // `report` redraws the tables and the chart from results.json alone.
  fs::remove(out + "/results.md");
  fs::remove(out + "/results.svg");
  auto rep = eval({"report", out}, false);
  ASSERT_EQ(rep.exit_code, 0) << rep.err;
  EXPECT_EQ(test::read_file(out + "/results.svg"), svg);
  EXPECT_TRUE(fs::exists(out + "/results.md"));
}

// Items decoded together give exactly the tokens they give alone (the engine is batch
// invariant), so the batch size never changes a result.
TEST_F(EvalCli, BatchingDoesNotChangeAnswers) {
  auto one = eval({"run", "--set", "math", "--adapter", "math", "--batch", "1", "--out", dir_ + "/b1"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  auto eight = eval({"run", "--set", "math", "--adapter", "math", "--batch", "8", "--out", dir_ + "/b8"});
  ASSERT_EQ(eight.exit_code, 0) << eight.err;
  EXPECT_EQ(test::read_file(dir_ + "/b1/items.jsonl"), test::read_file(dir_ + "/b8/items.jsonl"));
  auto voted1 = eval({"run", "--set", "math", "--votes", "3", "--batch", "3", "--out", dir_ + "/v1"});
  ASSERT_EQ(voted1.exit_code, 0) << voted1.err;
  auto voted2 = eval({"run", "--set", "math", "--votes", "3", "--batch", "12", "--out", dir_ + "/v2"});
  ASSERT_EQ(voted2.exit_code, 0) << voted2.err;
  EXPECT_EQ(test::read_file(dir_ + "/v1/items.jsonl"), test::read_file(dir_ + "/v2/items.jsonl"));
}

TEST_F(EvalCli, AKilledRunResumesWhereItStopped) {
  const std::string a = dir_ + "/a", b = dir_ + "/b";
  auto full = eval({"run", "--set", "math", "--base", "--batch", "1", "--out", a});
  ASSERT_EQ(full.exit_code, 0) << full.err;
  const auto cache = lines_of(a + "/generations.jsonl");
  ASSERT_EQ(cache.size(), 4u);
  // What a run killed while writing its third generation leaves behind.
  fs::create_directories(b);
  std::ofstream(b + "/generations.jsonl") << cache[0] << "\n" << cache[1] << "\n" << cache[2].substr(0, 20);
  auto resumed = eval({"run", "--set", "math", "--base", "--batch", "1", "--out", b});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("(2 cached)"), std::string::npos) << resumed.err;
  EXPECT_EQ(test::read_file(a + "/items.jsonl"), test::read_file(b + "/items.jsonl"));
  const json rb = json::parse(test::read_file(b + "/results.json"));
  EXPECT_EQ(rb["conditions"][0]["throughput"]["cached_items"], 2);
  EXPECT_EQ(rb["conditions"][0]["throughput"]["generated_items"], 2);

  // The two runs compared: identical answers, so no measurable difference.
  auto cmp = eval({"compare", a, b, "--json"}, false);
  ASSERT_EQ(cmp.exit_code, 0) << cmp.err;
  const json c = last_json_line(cmp.out);
  EXPECT_EQ(c["n"], 4);
  EXPECT_EQ(c["only_a"], 0);
  EXPECT_EQ(c["only_b"], 0);
  EXPECT_EQ(c["mcnemar_p"], 1.0);
  EXPECT_EQ(c["verdict"], "no measurable difference");
}

TEST_F(EvalCli, PrivateSetsKeepOnlyHashesAndScores) {
  auto r = eval({"run", "--set", "math", "--private", "--out", dir_ + "/p"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string items = test::read_file(dir_ + "/p/items.jsonl");
  EXPECT_EQ(items.find("apples"), std::string::npos);
  EXPECT_EQ(items.find("\"outputs\""), std::string::npos);
  EXPECT_EQ(items.find("\"m1\""), std::string::npos);
  EXPECT_NE(items.find("sha256:"), std::string::npos);
  const json res = json::parse(test::read_file(dir_ + "/p/results.json"));
  EXPECT_TRUE(res["set"]["private"].get<bool>());
  EXPECT_EQ(res["set"]["path"], "");
  EXPECT_FALSE(fs::exists(dir_ + "/p/generations.jsonl"));  // outputs may quote the items
}

TEST_F(EvalCli, ScoresPredictionsMadeElsewhere) {
  std::ofstream(dir_ + "/pred.jsonl") << R"({"id": 1, "output": "15 + 27 = 42\n#### 42"}
{"id": "2", "output": "The answer is 20."}
{"id": 3, "output": "144 / 12 = 12, so the answer is 12."}
)";
  auto r = eval({"score", "--set", "locollm-v1/math", "--predictions", dir_ + "/pred.jsonl", "--json"}, false);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = last_json_line(r.out);
  EXPECT_EQ(j["n"], 3);
  EXPECT_EQ(j["correct"], 2);
  EXPECT_DOUBLE_EQ(j["accuracy"].get<double>(), 2.0 / 3);
  EXPECT_NEAR(j["stderr"].get<double>(), std::sqrt(1.0 / 3 / 3), 1e-12);  // s = sqrt(1/3), n = 3
  const auto [lo, hi] = wilson(2, 3);
  EXPECT_NEAR(j["ci95"][0].get<double>(), lo, 1e-12);
  EXPECT_NEAR(j["ci95"][1].get<double>(), hi, 1e-12);
  EXPECT_DOUBLE_EQ(j["strict_accuracy"].get<double>(), 1.0 / 3);
  EXPECT_EQ(j["unscored_items"], 17);

  // Code: three samples of two items; pass@k from 1 - C(n-c, k)/C(n, k) by hand.
  std::ifstream he(std::string(LOCO_SOURCE_DIR) + "/data/eval/humaneval/HumanEval.jsonl");
  std::string l0, l1;
  std::getline(he, l0);
  std::getline(he, l1);
  const json t0 = json::parse(l0), t1 = json::parse(l1);
  std::ofstream pred(dir_ + "/code.jsonl");
  const std::string good = "```python\n" + t0["prompt"].get<std::string>() + t0["canonical_solution"].get<std::string>() + "```";
  pred << json{{"id", "HumanEval/0"}, {"output", good}}.dump() << "\n"
       << json{{"id", "HumanEval/0"}, {"output", "```python\ndef has_close_elements(a, b):\n    return True\n```"}}.dump() << "\n"
       << json{{"id", "HumanEval/0"}, {"output", good}}.dump() << "\n";
  for (int i = 0; i < 3; ++i) {
    pred << json{{"id", "HumanEval/1"}, {"output", "```python\nimport sys\nsys.exit(0)\n```"}}.dump() << "\n";
  }
  pred.close();
  (void)t1;
  auto c = eval({"score", "--set", "humaneval", "--predictions", dir_ + "/code.jsonl", "--json"}, false);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const json k = last_json_line(c.out);
  EXPECT_EQ(k["n"], 2);
  EXPECT_EQ(k["correct"], 1);  // item 0's vote picks the reference (2 of 3); item 1 never runs its tests
  EXPECT_NEAR(k["pass@1"].get<double>(), (2.0 / 3 + 0) / 2, 1e-12);
  EXPECT_NEAR(k["pass@2"].get<double>(), (1.0 + 0) / 2, 1e-12);
  EXPECT_NEAR(k["pass@3"].get<double>(), 0.5, 1e-12);
}

TEST_F(EvalCli, OverlapFindsTrainingCopies) {
  std::ofstream(dir_ + "/train.jsonl")
      << R"({"question": "Quick one. A shop sells apples for $3 each. If you buy 7 apples, how much do you pay?", "answer": "21"})"
      << "\n" << R"({"messages": [{"role": "user", "content": "Tell me about cats."}]})" << "\n";
  auto r = eval({"overlap", "locollm-v1/math", dir_ + "/train.jsonl", "--json"}, false);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = last_json_line(r.out);
  EXPECT_EQ(j["overlapping"], 1);
  EXPECT_EQ(j["matches"][0]["id"], "2");
  EXPECT_EQ(j["matches"][0]["training_line"], 1);
  EXPECT_TRUE(j["matches"][0]["exact"].get<bool>());
}

TEST_F(EvalCli, BadInputIsOneLineError) {
  test::expect_one_line_error(eval({"run", "--set", "no-such-set"}), "no set 'no-such-set'");
  std::ofstream(dir_ + "/bad.jsonl") << "{\"question\": \"q\", \"answer\": 1}\n{\"question\": \n";
  test::expect_one_line_error(eval({"run", "--set", dir_ + "/bad.jsonl"}), "bad.jsonl:2: not a JSON object");
  test::expect_one_line_error(eval({"run", "--set", "math", "--adapter", "math", "--routed"}), "choose one of");
  test::expect_one_line_error(eval({"grid", "--adapter", "nope"}), "no adapter named 'nope'");
  std::ofstream(dir_ + "/pred.jsonl") << "{\"id\": 1, \"output\": \"x\"}\n{\"id\": 999, \"output\": \"x\"}\n";
  test::expect_one_line_error(eval({"score", "--set", "locollm-v1/math", "--predictions", dir_ + "/pred.jsonl"}, false),
                              "pred.jsonl:2: no item '999'");
  std::ofstream(dir_ + "/pred2.jsonl") << "{\"id\": 1}\n";
  test::expect_one_line_error(eval({"score", "--set", "locollm-v1/math", "--predictions", dir_ + "/pred2.jsonl"}, false),
                              "pred2.jsonl:1: \"output\" must be a string");
  fs::create_directories(dir_ + "/broken");
  std::ofstream(dir_ + "/broken/results.json") << "{\"schema\": \"other/9\"}";
  test::expect_one_line_error(eval({"report", dir_ + "/broken"}, false), "schema 'other/9'");
  test::expect_one_line_error(eval({"compare", dir_ + "/broken", dir_ + "/nothing"}, false), "schema");
}

}  // namespace
}  // namespace loco
