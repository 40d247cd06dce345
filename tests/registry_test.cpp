// The adapter registry: the LocoLLM v1 file loads with its values, everything survives a
// save and reload, bad and hostile files give one-line errors naming the key, and exactly
// one adapter per domain is active.
#include "loco/registry.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "loco/error.h"
#include "test_paths.h"

namespace loco {
namespace {

namespace fs = std::filesystem;

std::string v1_registry_path() {
  return test::testdata_dir() + "/../datasets/locollm-v1/registry.yaml";
}

// Field by field, so a failure names the field that differs.
void expect_same(const AdapterEntry& a, const AdapterEntry& b) {
  SCOPED_TRACE("adapter " + a.name);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.path, b.path);
  EXPECT_EQ(a.path_key_is_gguf_path, b.path_key_is_gguf_path);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.authors, b.authors);
  EXPECT_EQ(a.tags, b.tags);
  EXPECT_EQ(a.domain, b.domain);
  EXPECT_EQ(a.active, b.active);
  EXPECT_EQ(a.eval_dataset, b.eval_dataset);
  EXPECT_EQ(a.eval_type, b.eval_type);
  EXPECT_EQ(a.router_keywords, b.router_keywords);
  EXPECT_EQ(a.training, b.training);
  EXPECT_EQ(a.benchmark_scores, b.benchmark_scores);
  EXPECT_EQ(a.system_prompt, b.system_prompt);
  EXPECT_EQ(a.few_shot, b.few_shot);
  EXPECT_EQ(a.scale, b.scale);
  EXPECT_EQ(a.sha256, b.sha256);
  EXPECT_EQ(a.config_sha256, b.config_sha256);
  EXPECT_EQ(a.extra, b.extra);
}

void expect_same(const Registry& a, const Registry& b) {
  ASSERT_EQ(a.base_model.has_value(), b.base_model.has_value());
  if (a.base_model) {
    const BaseModelInfo &x = *a.base_model, &y = *b.base_model;
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.quantization, y.quantization);
    EXPECT_EQ(x.format, y.format);
    EXPECT_EQ(x.size_gb, y.size_gb);
    EXPECT_EQ(x.academic_year, y.academic_year);
    EXPECT_EQ(x.ollama_name, y.ollama_name);
    EXPECT_EQ(x.path, y.path);
    EXPECT_EQ(x.sha256, y.sha256);
    EXPECT_EQ(x.extra, y.extra);
  }
  ASSERT_EQ(a.adapters().size(), b.adapters().size());
  for (size_t i = 0; i < a.adapters().size(); ++i) expect_same(a.adapters()[i], b.adapters()[i]);
}

TEST(Registry, LoadsTheV1File) {
  const Registry reg = Registry::load(v1_registry_path());
  ASSERT_TRUE(reg.base_model.has_value());
  EXPECT_EQ(reg.base_model->name, "Qwen/Qwen3-4B-Instruct");
  EXPECT_EQ(reg.base_model->quantization, "Q4_K_M");
  EXPECT_EQ(reg.base_model->format, "gguf");
  EXPECT_EQ(reg.base_model->size_gb, 2.5);
  EXPECT_EQ(reg.base_model->academic_year, "2026-2027");
  EXPECT_EQ(reg.base_model->ollama_name, "qwen3:4b");
  EXPECT_TRUE(reg.base_model->path.empty());

  ASSERT_EQ(reg.adapters().size(), 3u);
  const AdapterEntry& math = reg.adapters()[0];
  EXPECT_EQ(math.name, "math");
  EXPECT_EQ(reg.adapters()[1].name, "code");
  EXPECT_EQ(reg.adapters()[2].name, "analysis");
  EXPECT_EQ(math.version, "0.2.0");
  EXPECT_EQ(math.type, kMergedGguf);
  EXPECT_EQ(math.path, "math/gguf/unsloth.Q4_K_M.gguf");
  EXPECT_TRUE(math.path_key_is_gguf_path);
  EXPECT_EQ(math.description, "Math reasoning adapter (LoRA merged, Q4_K_M)");
  EXPECT_EQ(math.authors, std::vector<std::string>{"LocoLLM Team"});
  EXPECT_EQ(math.tags, (std::vector<std::string>{"math", "arithmetic", "reasoning"}));
  EXPECT_EQ(math.eval_dataset, "eval_dataset.jsonl");
  EXPECT_EQ(math.eval_type, EvalType::Numeric);
  ASSERT_EQ(math.router_keywords.size(), 11u);
  EXPECT_EQ(math.router_keywords[0], "solve");
  EXPECT_EQ(math.router_keywords[7], "how many");
  EXPECT_EQ(math.router_keywords[10], "average");
  ASSERT_EQ(math.training.size(), 7u);
  EXPECT_EQ(math.training[0].key, "base_model");
  EXPECT_EQ(math.training[0].yaml, "\"unsloth/Qwen3-4B-unsloth-bnb-4bit\"");
  EXPECT_EQ(math.training[3].key, "lora_r");
  EXPECT_EQ(math.training[3].yaml, "16");
  EXPECT_EQ(math.training[6].yaml, "\"q4_k_m\"");
  // v1 has no domains and no active flags: each adapter is its own, active, domain.
  for (const AdapterEntry& e : reg.adapters()) {
    EXPECT_EQ(e.domain, e.name);
    EXPECT_TRUE(e.active);
    EXPECT_EQ(e.scale, 1.0);
    EXPECT_TRUE(e.extra.empty()) << e.name;
  }
  EXPECT_EQ(reg.adapters()[1].eval_type, EvalType::Code);
  EXPECT_EQ(reg.adapters()[2].eval_type, EvalType::Analysis);
  EXPECT_EQ(reg.adapters()[2].router_keywords.size(), 12u);
  EXPECT_EQ(reg.domains(), (std::vector<std::string>{"math", "code", "analysis"}));

  // Paths are relative to the registry's directory; v1's eval_dataset to the adapter's.
  const fs::path dir = fs::path(v1_registry_path()).parent_path();
  EXPECT_EQ(reg.resolve(math.path), (dir / "math/gguf/unsloth.Q4_K_M.gguf").lexically_normal().string());
  EXPECT_EQ(reg.resolve_eval_dataset(math), (dir / "math/eval_dataset.jsonl").lexically_normal().string());
  EXPECT_EQ(reg.resolve("/abs/file.gguf"), "/abs/file.gguf");
}

TEST(Registry, V1RoundTripKeepsValuesHeaderAndV1Keys) {
  const Registry a = Registry::load(v1_registry_path());
  const std::string text = a.to_yaml();
  EXPECT_EQ(text.rfind("# LocoLLM Adapter Registry\n", 0), 0u) << text.substr(0, 200);
  EXPECT_NE(text.find("gguf_path: \"math/gguf/unsloth.Q4_K_M.gguf\""), std::string::npos) << text;
  EXPECT_NE(text.find("lora_r: 16\n"), std::string::npos) << text;
  EXPECT_NE(text.find("method: \"qlora\"\n"), std::string::npos) << text;
  const Registry b = Registry::parse(text, a.file());
  expect_same(a, b);
  EXPECT_EQ(b.to_yaml(), text);  // saving is stable
}

const char* kFullRegistry = R"(# header line one
#   and two

schema_version: 2
maintainers: [{name: Ann, email: "ann@example.org"}]
base_model:
  name: "Qwen/Qwen3-0.6B"
  quantization: Q8_0
  size_gb: 0.6
  path: models/base.gguf
  sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
  license: apache-2.0
adapters:
  math-gsm8k:
    domain: math
    active: false
    version: "0.2.0"
    type: lora-gguf
    path: /opt/adapters/math.gguf
    description: 'It''s "quoted": yes # not a comment'
    authors: ["Alice Smith", Bob]
    tags: []
    semester: "2026"
    count: 16
    eval_dataset: data/math.jsonl
    eval_type: numeric
    router_keywords: [solve, "how many"]
    system_prompt: "Line one.\nLine two with \"quotes\" and unicode: π ≈ 3.14159 — ok\n"
    few_shot:
      - question: "What is 2+2?"
        answer: "4"
      - {question: "3*3?", answer: 9}
    scale: 0.5
    training:
      method: qlora
      lora_r: 16
      lora_alpha: "32"
      targets: [q_proj, v_proj]
      schedule: {warmup: 10, decay: cosine, steps: [100, 200]}
      notes: |
        multi
        line
    benchmark_scores:
      gsm8k: 0.72
      math_hard: 3.1e-1
    sha256: "CDC76E5C9914FB9281A1C7E284D73E67F1809A48A497200E046D39CCC7112CD0"
    future_block:
      nested: {deep: [1, [2, [3, {x: "y"}]]]}
      empty_map: {}
      empty_list: []
      nothing: ~
  math-competition:
    domain: math
    active: true
    type: lora-peft
    path: math-competition
  code:
    type: merged-gguf
    gguf_path: code/model.gguf
    eval_type: code
)";

TEST(Registry, EveryFieldAndUnknownKeysSurviveRoundTrips) {
  const std::string root = test::temp_dir();
  const std::string file = root + "/sub/dir/registry.yaml";
  const Registry a = Registry::parse(kFullRegistry, file);
  ASSERT_EQ(a.adapters().size(), 3u);
  const AdapterEntry& m = a.adapters()[0];
  EXPECT_EQ(m.description, "It's \"quoted\": yes # not a comment");
  EXPECT_EQ(m.authors, (std::vector<std::string>{"Alice Smith", "Bob"}));
  EXPECT_TRUE(m.tags.empty());
  EXPECT_FALSE(m.active);
  EXPECT_TRUE(a.adapters()[1].active);
  EXPECT_EQ(a.active_for("math"), &a.adapters()[1]);
  EXPECT_EQ(a.adapters()[2].domain, "code");
  EXPECT_EQ(m.system_prompt, "Line one.\nLine two with \"quotes\" and unicode: π ≈ 3.14159 — ok\n");
  ASSERT_EQ(m.few_shot.size(), 2u);
  EXPECT_EQ(m.few_shot[1].question, "3*3?");
  EXPECT_EQ(m.few_shot[1].answer, "9");
  EXPECT_EQ(m.scale, 0.5);
  EXPECT_EQ(m.benchmark_scores,
            (std::vector<std::pair<std::string, double>>{{"gsm8k", 0.72}, {"math_hard", 0.31}}));
  ASSERT_EQ(m.extra.size(), 3u);
  EXPECT_EQ(m.extra[0], (YamlField{"semester", "\"2026\""}));  // a quoted number stays a string
  EXPECT_EQ(m.extra[1], (YamlField{"count", "16"}));
  EXPECT_EQ(m.extra[2].key, "future_block");
  ASSERT_EQ(m.training.size(), 6u);
  EXPECT_EQ(m.training[2], (YamlField{"lora_alpha", "\"32\""}));
  EXPECT_EQ(m.training[3], (YamlField{"targets", "[q_proj, v_proj]"}));
  EXPECT_EQ(a.base_model->extra, std::vector<YamlField>{(YamlField{"license", "apache-2.0"})});
  EXPECT_EQ(a.resolve(a.base_model->path), root + "/sub/dir/models/base.gguf");

  // Saved to a directory that does not exist yet, reloaded, saved again.
  a.save();
  const Registry b = Registry::load(file);
  expect_same(a, b);
  const std::string text = b.to_yaml();
  EXPECT_EQ(text.rfind("# header line one\n#   and two\n", 0), 0u);
  EXPECT_NE(text.find("schema_version: 2"), std::string::npos) << text;
  EXPECT_NE(text.find("ann@example.org"), std::string::npos) << text;
  EXPECT_NE(text.find("gguf_path: \"code/model.gguf\""), std::string::npos) << text;
  const Registry c = Registry::parse(text, file);
  expect_same(b, c);
  EXPECT_EQ(c.to_yaml(), text);
  // The unknown nested block reads back as the same structure.
  for (const Registry* r : {&b, &c}) {
    const std::string& block = r->adapters()[0].extra[2].yaml;
    EXPECT_NE(block.find("deep: [1, [2, [3, {x: \"y\"}]]]"), std::string::npos) << block;
    EXPECT_NE(block.find("empty_map: {}"), std::string::npos) << block;
  }
  // No temporary files are left beside the registry.
  int files = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(file).parent_path())) {
    ++files;
    EXPECT_EQ(entry.path().filename(), "registry.yaml");
  }
  EXPECT_EQ(files, 1);
}

TEST(Registry, EmptyAndMissing) {
  const Registry empty = Registry::parse("", "r.yaml");
  EXPECT_TRUE(empty.adapters().empty());
  EXPECT_FALSE(empty.base_model.has_value());
  EXPECT_TRUE(Registry::parse("adapters:\n", "r.yaml").adapters().empty());
  const std::string missing = test::temp_dir() + "/none/registry.yaml";
  EXPECT_THROW(Registry::load(missing), Error);
  const Registry fresh = Registry::load_or_empty(missing);
  EXPECT_TRUE(fresh.adapters().empty());
  EXPECT_EQ(fresh.file(), missing);
  EXPECT_EQ(Registry::parse(fresh.to_yaml(), missing).adapters().size(), 0u);
}

// The message a FormatError gives for `text`, or "" if it loads.
std::string load_error(const std::string& text) {
  try {
    Registry::parse(text, "registry.yaml");
  } catch (const FormatError& e) {
    return e.what();
  }
  return "";
}

void expect_error(const std::string& text, const std::string& expected) {
  const std::string message = load_error(text);
  EXPECT_NE(message.find(expected), std::string::npos) << "message: " << message << "\nyaml:\n"
                                                       << text.substr(0, 300);
  EXPECT_EQ(message.rfind("registry.yaml", 0), 0u) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_LT(message.size(), 400u);
}

TEST(Registry, WrongTypesNameTheFileAdapterAndKey) {
  const std::string head = "adapters:\n  math:\n";
  expect_error(head + "    router_keywords: solve\n",
               "registry.yaml: adapter 'math': router_keywords must be a list of strings");
  expect_error(head + "    router_keywords: [solve, {a: b}]\n",
               "adapter 'math': router_keywords must be a list of strings");
  expect_error(head + "    tags: {a: b}\n", "adapter 'math': tags must be a list of strings");
  expect_error(head + "    authors: [[x]]\n", "adapter 'math': authors must be a list of strings");
  expect_error(head + "    description: [a, b]\n", "adapter 'math': description must be a string");
  expect_error(head + "    active: maybe\n", "adapter 'math': active must be true or false");
  expect_error(head + "    eval_type: essay\n", "adapter 'math': eval_type must be numeric, multiple_choice");
  expect_error(head + "    scale: big\n", "adapter 'math': scale must be a number");
  expect_error(head + "    scale: .nan\n", "adapter 'math': scale must be a number");
  expect_error(head + "    scale: 1e999\n", "adapter 'math': scale must be a number");
  expect_error(head + "    benchmark_scores: {gsm8k: high}\n",
               "adapter 'math': benchmark_scores.gsm8k must be a number");
  expect_error(head + "    benchmark_scores: [1]\n", "adapter 'math': benchmark_scores must be a mapping");
  expect_error(head + "    training: [1, 2]\n", "adapter 'math': training must be a mapping");
  expect_error(head + "    few_shot: {question: q}\n", "adapter 'math': few_shot must be a list");
  expect_error(head + "    few_shot: [{question: q}]\n", "adapter 'math': few_shot[0] needs both question and answer");
  expect_error(head + "    few_shot: [{question: q, answer: a}, {question: q, answer: a, hint: h}]\n",
               "adapter 'math': few_shot[1] has the unknown key 'hint'");
  expect_error(head + "    few_shot: [{question: [q], answer: a}]\n",
               "adapter 'math': few_shot[0].question must be a string");
  expect_error(head + "    system_prompt: {a: 1}\n", "adapter 'math': system_prompt must be a string");
  expect_error(head + "    sha256: abc\n", "adapter 'math': sha256 must be 64 hexadecimal digits");
  expect_error(head + "    path: a.gguf\n    gguf_path: b.gguf\n", "adapter 'math': gguf_path and path name different files");
  expect_error(head + "    domain: a/b\n", "adapter 'math': domain must be");
  expect_error(head + "    version: 1\n    version: 2\n", "adapter 'math': the entry has the key 'version' twice");
  expect_error("adapters:\n  math: 5\n", "adapter 'math' must be a mapping");
  expect_error("adapters:\n  ../evil: {}\n", "adapter '../evil': names must be");
  expect_error("adapters: [math, code]\n", "adapters must be a mapping of adapter names to entries");
  expect_error("adapters:\n  ? [a, b]\n  : {}\n", "adapters has a key that is not a string");
  expect_error("- just\n- a list\n", "must be a mapping with base_model and adapters");
  expect_error("just a string\n", "must be a mapping");
  expect_error("base_model: qwen\n", "base_model must be a mapping");
  expect_error("base_model:\n  size_gb: [1]\n", "registry.yaml: base_model: size_gb must be a number");
  expect_error("base_model:\n  name: {a: 1}\n", "base_model: name must be a string");
}

TEST(Registry, DuplicatesAndAmbiguousActivation) {
  expect_error("adapters:\n  math: {}\n  code: {}\n  math: {}\n", "adapters has the key 'math' twice");
  expect_error("adapters:\n  a: {domain: math, active: true}\n  b: {domain: math, active: true}\n",
               "domain 'math' has more than one active adapter ('a' and 'b')");
  expect_error("adapters: {}\nadapters: {}\n", "has the key 'adapters' twice");
}

TEST(Registry, MalformedYamlGivesTheLine) {
  expect_error("adapters:\n  math: [unclosed\n", "line");
  expect_error("adapters:\n\tmath: {}\n", "line 2, column 6: illegal map value");
  expect_error("adapters:\n  math: {a: 1\n  code: {}\n", "line");
  expect_error("a: b: c\n", "line 1");
  expect_error("adapters:\n  math:\n    tags: *undefined_anchor\n", "");
}

TEST(Registry, HostileFilesAreRefusedWithoutCrashing) {
  // Nesting deeper than the parser allows.
  std::string deep = "adapters:\n  math:\n    x: " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  expect_error(deep, "nested too deeply");
  // Nesting the parser accepts but loco will not keep.
  std::string nested = "adapters:\n  math:\n    x: " + std::string(200, '[') + std::string(200, ']') + "\n";
  expect_error(nested, "adapter 'math': x is nested too deeply or too large");
  std::string deep_map = "adapters:\n  math:\n    training:\n      t: ";
  for (int i = 0; i < 200; ++i) deep_map += "{a: ";
  deep_map += "1" + std::string(200, '}') + "\n";
  expect_error(deep_map, "adapter 'math': t is nested too deeply or too large");
  // Aliases that expand to billions of nodes ("billion laughs").
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'k'; ++c) {
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) bomb += std::string(i ? ", *" : "*") + static_cast<char>(c - 1);
    bomb += "]\n";
  }
  expect_error(bomb, "is nested too deeply or too large");
  expect_error("adapters:\n  math:\n    tags: &t [a, b]\n    router_keywords: [*t]\n",
               "router_keywords must be a list of strings");
  // A huge string is kept intact (within the size limit) ...
  const std::string big(4 << 20, 'x');
  const Registry reg = Registry::parse("adapters:\n  math:\n    description: " + big + "\n", "registry.yaml");
  EXPECT_EQ(reg.adapters()[0].description, big);
  EXPECT_EQ(Registry::parse(reg.to_yaml(), "registry.yaml").adapters()[0].description, big);
  // ... and a file over the limit is refused before parsing.
  expect_error("adapters:\n  math:\n    description: " + std::string(17 << 20, 'x') + "\n", "too large");
  const std::string huge_file = test::temp_dir() + "/huge.yaml";
  std::ofstream(huge_file) << "# " << std::string(17 << 20, 'x') << "\n";
  EXPECT_THROW(Registry::load(huge_file), FormatError);
  // Binary junk and scalars of the wrong kind everywhere.
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk.push_back(static_cast<char>((i * 131 + 7) & 0xff));
  try {
    Registry::parse(junk, "registry.yaml");
  } catch (const Error&) {
  }
  expect_error("adapters:\n  math:\n    active: [true]\n", "active must be true or false");
  expect_error("adapters:\n  math:\n    scale: {x: 1}\n", "scale must be a number");
  expect_error("adapters:\n  math:\n    eval_type: [numeric]\n", "eval_type must be a string");
  expect_error("adapters:\n  math:\n    domain: {a: b}\n", "domain must be a string");
  expect_error("adapters:\n  math:\n    path: !!binary aGVsbG8=\n    gguf_path: x\n", "gguf_path and path");
}

TEST(Registry, OneActiveAdapterPerDomain) {
  Registry reg = Registry::parse(
      "adapters:\n"
      "  math-a: {domain: math}\n"
      "  math-b: {domain: math}\n"
      "  code: {}\n"
      "  math-c: {domain: math, active: false}\n",
      "registry.yaml");
  // Nothing marked active: the first of each domain is.
  EXPECT_EQ(reg.active_for("math")->name, "math-a");
  EXPECT_EQ(reg.active_for("code")->name, "code");
  EXPECT_EQ(reg.activate("math-b"), "math-a");
  EXPECT_FALSE(reg.find("math-a")->active);
  EXPECT_TRUE(reg.find("math-b")->active);
  EXPECT_FALSE(reg.find("math-c")->active);
  EXPECT_TRUE(reg.find("code")->active);
  EXPECT_EQ(reg.activate("math-b"), "");
  EXPECT_THROW(reg.activate("nope"), Error);

  // Saved and reloaded, the choice holds.
  reg = Registry::parse(reg.to_yaml(), "registry.yaml");
  EXPECT_EQ(reg.active_for("math")->name, "math-b");

  // Removing the active adapter promotes the first remaining one of its domain.
  AdapterEntry removed = reg.remove("math-b");
  EXPECT_EQ(removed.name, "math-b");
  EXPECT_EQ(reg.active_for("math")->name, "math-a");
  EXPECT_THROW(reg.remove("math-b"), Error);

  // Adding: inactive beside an active adapter, active in a new domain or when asked.
  AdapterEntry d;
  d.name = "math-d";
  d.domain = "math";
  reg.add(d, false);
  EXPECT_EQ(reg.active_for("math")->name, "math-a");
  AdapterEntry s;
  s.name = "summary";
  reg.add(s, false);
  EXPECT_EQ(reg.find("summary")->domain, "summary");
  EXPECT_TRUE(reg.find("summary")->active);
  AdapterEntry e = d;
  e.name = "math-e";
  e.active = true;
  reg.add(e, false);
  EXPECT_EQ(reg.active_for("math")->name, "math-e");
  // Replacing keeps the active adapter active; an existing name needs `replace`.
  EXPECT_THROW(reg.add(d, false), Error);
  AdapterEntry e2 = e;
  e2.active = false;
  e2.version = "2";
  reg.add(e2, true);
  EXPECT_EQ(reg.active_for("math")->name, "math-e");
  EXPECT_EQ(reg.find("math-e")->version, "2");
  // Moving the active adapter to another domain leaves its old domain one active adapter.
  AdapterEntry moved = e2;
  moved.domain = "algebra";
  reg.add(moved, true);
  EXPECT_EQ(reg.active_for("algebra")->name, "math-e");
  ASSERT_NE(reg.active_for("math"), nullptr);
  for (const std::string& domain : reg.domains()) {
    int active = 0;
    for (const AdapterEntry& entry : reg.adapters()) active += entry.domain == domain && entry.active;
    EXPECT_EQ(active, 1) << domain;
  }
  AdapterEntry bad;
  bad.name = "../x";
  EXPECT_THROW(reg.add(bad, false), Error);
}

TEST(Registry, NamesThatLookLikeOtherScalarsAreQuoted) {
  const Registry reg = Registry::parse("adapters:\n  \"2024\": {}\n  \"yes\": {}\n  math: {}\n", "r.yaml");
  const std::string text = reg.to_yaml();
  EXPECT_NE(text.find("  \"2024\":\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  \"yes\":\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  math:\n"), std::string::npos) << text;
  expect_same(reg, Registry::parse(text, "r.yaml"));
}

TEST(Registry, AdapterNames) {
  EXPECT_TRUE(is_valid_adapter_name("math"));
  EXPECT_TRUE(is_valid_adapter_name("math-gsm8k_v2.1"));
  EXPECT_FALSE(is_valid_adapter_name(""));
  EXPECT_FALSE(is_valid_adapter_name("."));
  EXPECT_FALSE(is_valid_adapter_name(".."));
  EXPECT_FALSE(is_valid_adapter_name("-rf"));
  EXPECT_FALSE(is_valid_adapter_name("a/b"));
  EXPECT_FALSE(is_valid_adapter_name("a b"));
  EXPECT_FALSE(is_valid_adapter_name(std::string(65, 'a')));
  EXPECT_EQ(parse_eval_type("multiple_choice"), EvalType::MultipleChoice);
  EXPECT_EQ(parse_eval_type("free_text"), EvalType::FreeText);
  EXPECT_FALSE(parse_eval_type("essay").has_value());
  EXPECT_STREQ(eval_type_name(EvalType::Analysis), "analysis");
}

}  // namespace
}  // namespace loco
