#include "loco/eval/results.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "loco/error.h"
#include "loco/sha256.h"

namespace loco::eval {
namespace {

using nlohmann::json;

json interval_json(const Interval& i) { return json::array({i.low, i.high}); }
Interval interval_from(const json& j) {
  if (!j.is_array() || j.size() != 2 || !j[0].is_number() || !j[1].is_number())
    throw FormatError("an interval must be [low, high]");
  return {j[0].get<double>(), j[1].get<double>()};
}

template <typename T>
void put_optional(json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}

json condition_json(const ConditionSummary& c) {
  json j;
  j["name"] = c.name;
  j["mode"] = c.condition.mode;
  j["adapter"] = c.condition.adapter;
  j["reread"] = c.condition.reread;
  j["votes"] = c.condition.votes;
  if (!c.condition.context.empty()) j["context"] = c.condition.context;
  j["set"] = c.set;
  j["set_sha256"] = c.set_sha256;
  j["adapter_sha256"] = c.adapter_sha256;
  j["n"] = c.n;
  j["correct"] = c.correct;
  j["accuracy"] = c.accuracy;
  j["stderr"] = c.std_error;
  j["ci95"] = interval_json(c.ci95);
  j["samples_per_item"] = c.samples_per_item;
  j["items_without_answer"] = c.items_without_answer;
  if (c.strict_correct) {
    j["strict"] = {{"correct", *c.strict_correct},
                   {"accuracy", c.strict_accuracy.value_or(0)},
                   {"ci95", interval_json(c.strict_ci95.value_or(Interval{}))}};
  }
  if (c.f1) j["f1"] = {{"mean", *c.f1}, {"ci95", interval_json(c.f1_ci95.value_or(Interval{}))}};
  if (c.rouge_l) j["rouge_l"] = {{"mean", *c.rouge_l}, {"ci95", interval_json(c.rouge_l_ci95.value_or(Interval{}))}};
  for (const auto& [k, v] : c.pass_at_k) j[fmt::format("pass@{}", k)] = v;
  j["throughput"] = {{"seconds", c.seconds},
                     {"generated_items", c.generated_items},
                     {"cached_items", c.cached_items},
                     {"generated_tokens", c.generated_tokens},
                     {"items_per_minute", c.items_per_minute},
                     {"tokens_per_second", c.tokens_per_second}};
  return j;
}

ConditionSummary condition_from(const json& j) {
  ConditionSummary c;
  c.name = j.at("name").get<std::string>();
  c.condition.mode = j.at("mode").get<std::string>();
  c.condition.adapter = j.value("adapter", "");
  c.condition.reread = j.at("reread").get<bool>();
  c.condition.votes = j.at("votes").get<int>();
  c.condition.context = j.value("context", "");
  c.set = j.value("set", "");
  c.set_sha256 = j.value("set_sha256", "");
  c.adapter_sha256 = j.value("adapter_sha256", "");
  c.n = j.at("n").get<int64_t>();
  c.correct = j.at("correct").get<int64_t>();
  c.accuracy = j.at("accuracy").get<double>();
  c.std_error = j.at("stderr").get<double>();
  c.ci95 = interval_from(j.at("ci95"));
  c.samples_per_item = j.value("samples_per_item", 1);
  c.items_without_answer = j.value("items_without_answer", int64_t{0});
  if (j.contains("strict")) {
    c.strict_correct = j["strict"].at("correct").get<int64_t>();
    c.strict_accuracy = j["strict"].at("accuracy").get<double>();
    c.strict_ci95 = interval_from(j["strict"].at("ci95"));
  }
  if (j.contains("f1")) {
    c.f1 = j["f1"].at("mean").get<double>();
    c.f1_ci95 = interval_from(j["f1"].at("ci95"));
  }
  if (j.contains("rouge_l")) {
    c.rouge_l = j["rouge_l"].at("mean").get<double>();
    c.rouge_l_ci95 = interval_from(j["rouge_l"].at("ci95"));
  }
  for (const auto& [key, value] : j.items()) {
    if (key.rfind("pass@", 0) != 0) continue;
    int k = 0;
    for (char ch : key.substr(5)) {
      if (ch < '0' || ch > '9' || k > 100000) throw FormatError("bad key '" + key + "'");
      k = k * 10 + (ch - '0');
    }
    c.pass_at_k[k] = value.get<double>();
  }
  if (j.contains("throughput")) {
    const json& t = j["throughput"];
    c.seconds = t.value("seconds", 0.0);
    c.generated_items = t.value("generated_items", int64_t{0});
    c.cached_items = t.value("cached_items", int64_t{0});
    c.generated_tokens = t.value("generated_tokens", int64_t{0});
    c.items_per_minute = t.value("items_per_minute", 0.0);
    c.tokens_per_second = t.value("tokens_per_second", 0.0);
  }
  return c;
}

json comparison_json(const Comparison& c) {
  const PairedDifference& p = c.paired;
  return {{"a", c.a},
          {"b", c.b},
          {"set", c.set},
          {"n", p.n},
          {"both", p.both},
          {"only_a", p.only_a},
          {"only_b", p.only_b},
          {"neither", p.neither},
          {"accuracy_a", p.accuracy_a},
          {"accuracy_b", p.accuracy_b},
          {"difference", p.difference},
          {"ci95", interval_json(p.ci95)},
          {"mcnemar_p", p.p_value},
          {"measurable", p.measurable},
          {"verdict", c.verdict}};
}

Comparison comparison_from(const json& j) {
  Comparison c;
  c.a = j.at("a").get<std::string>();
  c.b = j.at("b").get<std::string>();
  c.set = j.value("set", "");
  PairedDifference& p = c.paired;
  p.n = j.at("n").get<int64_t>();
  p.both = j.at("both").get<int64_t>();
  p.only_a = j.at("only_a").get<int64_t>();
  p.only_b = j.at("only_b").get<int64_t>();
  p.neither = j.at("neither").get<int64_t>();
  p.accuracy_a = j.at("accuracy_a").get<double>();
  p.accuracy_b = j.at("accuracy_b").get<double>();
  p.difference = j.at("difference").get<double>();
  p.ci95 = interval_from(j.at("ci95"));
  p.p_value = j.at("mcnemar_p").get<double>();
  p.measurable = j.at("measurable").get<bool>();
  c.verdict = j.value("verdict", "");
  return c;
}

json sample_json(const SampleScore& s, bool hide_text) {
  json j;
  j["correct"] = s.correct;
  if (!hide_text && s.extracted) j["extracted"] = *s.extracted;
  if (s.strict_extracted) j["strict"] = hide_text ? json(s.strict_correct) : json(*s.strict_extracted);
  if (s.f1 != 0 || s.rouge_l != 0) {
    j["f1"] = s.f1;
    j["rouge_l"] = s.rouge_l;
  }
  if (s.has_code) {
    j["tests_ran"] = s.tests_ran;
    if (s.timed_out) j["timed_out"] = true;
    if (s.syntax_key) j["syntax_key"] = *s.syntax_key;
    if (!s.failure.empty() && !hide_text) j["failure"] = s.failure;
  }
  return j;
}

SampleScore sample_from(const json& j) {
  SampleScore s;
  s.correct = j.value("correct", false);
  if (j.contains("extracted")) s.extracted = j["extracted"].get<std::string>();
  if (j.contains("strict") && j["strict"].is_string()) s.strict_extracted = j["strict"].get<std::string>();
  s.f1 = j.value("f1", 0.0);
  s.rouge_l = j.value("rouge_l", 0.0);
  if (j.contains("tests_ran")) {
    s.has_code = true;
    s.tests_ran = j["tests_ran"].get<bool>();
    s.timed_out = j.value("timed_out", false);
    if (j.contains("syntax_key")) s.syntax_key = j["syntax_key"].get<std::string>();
    s.failure = j.value("failure", "");
  }
  return s;
}

std::string read_file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::string Condition::name() const {
  std::string who = mode == "adapter" ? "adapter " + adapter : mode;
  std::string name = fmt::format("{} · RE2 {} · {} vote{}", who, reread ? "on" : "off", votes, votes == 1 ? "" : "s");
  if (!context.empty()) name += " · context " + context;
  return name;
}

std::string private_id(const std::string& id) { return "sha256:" + sha256_hex(id).substr(0, 16); }

ConditionSummary summarize(const std::vector<ItemRecord>& items, EvalType type, uint64_t seed) {
  ConditionSummary c;
  c.n = static_cast<int64_t>(items.size());
  std::vector<double> correct, f1, rouge;
  int64_t strict = 0;
  int min_samples = 0;
  for (const ItemRecord& it : items) {
    correct.push_back(it.score.correct ? 1.0 : 0.0);
    c.correct += it.score.correct ? 1 : 0;
    strict += it.score.strict_correct ? 1 : 0;
    f1.push_back(it.score.f1);
    rouge.push_back(it.score.rouge_l);
    c.items_without_answer += it.score.answer ? 0 : 1;
    const int n = static_cast<int>(it.score.samples.size());
    min_samples = min_samples == 0 ? n : std::min(min_samples, n);
  }
  c.samples_per_item = std::max(1, min_samples);
  c.accuracy = mean(correct);
  c.std_error = standard_error(correct);
  c.ci95 = wilson_interval(c.correct, c.n);
  auto mean_of = [](std::span<const double> v) { return mean(v); };
  if (type == EvalType::Numeric) {
    c.strict_correct = strict;
    c.strict_accuracy = c.n > 0 ? static_cast<double>(strict) / static_cast<double>(c.n) : 0.0;
    c.strict_ci95 = wilson_interval(strict, c.n);
  }
  if (type == EvalType::Analysis || type == EvalType::FreeText) {
    c.f1 = mean(f1);
    c.f1_ci95 = bootstrap_interval(f1, mean_of, 1000, seed);
    c.rouge_l = mean(rouge);
    c.rouge_l_ci95 = bootstrap_interval(rouge, mean_of, 1000, seed + 1);
  }
  if (type == EvalType::Code && !items.empty()) {
    for (int k = 1; k <= min_samples; ++k) {
      double sum = 0;
      for (const ItemRecord& it : items) {
        sum += pass_at_k(static_cast<int>(it.score.samples.size()), it.score.passing, k);
      }
      c.pass_at_k[k] = sum / static_cast<double>(items.size());
    }
  }
  return c;
}

Comparison compare_conditions(const std::string& a_name, const std::vector<ItemRecord>& a,
                              const std::string& b_name, const std::vector<ItemRecord>& b) {
  std::map<std::string, bool> b_correct;
  for (const ItemRecord& it : b) b_correct[it.id] = it.score.correct;
  std::vector<bool> xa, xb;  // vector<bool> cannot be a span: copied below
  for (const ItemRecord& it : a) {
    auto found = b_correct.find(it.id);
    if (found == b_correct.end()) continue;
    xa.push_back(it.score.correct);
    xb.push_back(found->second);
  }
  if (xa.empty()) throw Error(fmt::format("'{}' and '{}' have no items in common", a_name, b_name));
  std::unique_ptr<bool[]> pa(new bool[xa.size()]), pb(new bool[xb.size()]);
  for (size_t i = 0; i < xa.size(); ++i) {
    pa[i] = xa[i];
    pb[i] = xb[i];
  }
  Comparison c;
  c.a = a_name;
  c.b = b_name;
  c.set = a.empty() ? "" : a.front().set;
  c.paired = paired_difference(std::span<const bool>(pa.get(), xa.size()), std::span<const bool>(pb.get(), xb.size()));
  c.verdict = !c.paired.measurable ? "no measurable difference"
              : c.paired.difference > 0 ? "B better"
                                        : "B worse";
  return c;
}

std::string results_to_json(const Results& r) {
  json j;
  j["schema"] = r.schema;
  j["kind"] = r.kind;
  j["loco_version"] = r.loco_version;
  j["created_utc"] = r.created_utc;
  j["machine"] = {{"cpu", r.cpu}, {"threads", r.threads}};
  j["model"] = {{"path", r.model_path}, {"sha256", r.model_sha256}};
  j["set"] = {{"name", r.set_name}, {"path", r.set_private ? std::string() : r.set_path},
              {"sha256", r.set_sha256}, {"type", r.set_type}, {"items", r.set_items},
              {"private", r.set_private}};
  json settings = json::object();
  for (const auto& [k, v] : r.settings) settings[k] = v;
  j["settings"] = settings;
  j["conditions"] = json::array();
  for (const ConditionSummary& c : r.conditions) j["conditions"].push_back(condition_json(c));
  j["comparisons"] = json::array();
  for (const Comparison& c : r.comparisons) j["comparisons"].push_back(comparison_json(c));
  j["out_of_domain"] = json::array();
  for (const OutOfDomainCheck& o : r.out_of_domain) {
    j["out_of_domain"].push_back({{"set", o.set},
                                  {"base_accuracy", o.base_accuracy},
                                  {"adapter_accuracy", o.adapter_accuracy},
                                  {"passed", o.passed},
                                  {"comparison", comparison_json(o.comparison)}});
  }
  if (r.verdict) {
    j["verdict"] = {{"band", r.verdict->band},
                    {"points", r.verdict->points},
                    {"measurable", r.verdict->measurable},
                    {"explanation", r.verdict->explanation}};
  }
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

Results results_from_json(const std::string& text, const std::string& path) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw FormatError(path + ": not a JSON object");
  try {
    Results r;
    r.schema = j.at("schema").get<std::string>();
    if (r.schema != kResultsSchema) {
      throw FormatError(fmt::format("schema '{}' (this loco reads {})", r.schema, kResultsSchema));
    }
    r.kind = j.value("kind", "run");
    r.loco_version = j.value("loco_version", "");
    r.created_utc = j.value("created_utc", "");
    if (j.contains("machine")) {
      r.cpu = j["machine"].value("cpu", "");
      r.threads = j["machine"].value("threads", 0);
    }
    if (j.contains("model")) {
      r.model_path = j["model"].value("path", "");
      r.model_sha256 = j["model"].value("sha256", "");
    }
    const json& s = j.at("set");
    r.set_name = s.value("name", "");
    r.set_path = s.value("path", "");
    r.set_sha256 = s.value("sha256", "");
    r.set_type = s.value("type", "");
    r.set_items = s.value("items", int64_t{0});
    r.set_private = s.value("private", false);
    if (j.contains("settings")) {
      for (const auto& [k, v] : j["settings"].items()) r.settings.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
    }
    for (const json& c : j.at("conditions")) r.conditions.push_back(condition_from(c));
    if (j.contains("comparisons"))
      for (const json& c : j["comparisons"]) r.comparisons.push_back(comparison_from(c));
    if (j.contains("out_of_domain")) {
      for (const json& o : j["out_of_domain"]) {
        OutOfDomainCheck c;
        c.set = o.at("set").get<std::string>();
        c.base_accuracy = o.at("base_accuracy").get<double>();
        c.adapter_accuracy = o.at("adapter_accuracy").get<double>();
        c.passed = o.at("passed").get<bool>();
        c.comparison = comparison_from(o.at("comparison"));
        r.out_of_domain.push_back(c);
      }
    }
    if (j.contains("verdict")) {
      const json& v = j["verdict"];
      r.verdict = Verdict{v.at("band").get<std::string>(), v.at("points").get<double>(),
                          v.at("measurable").get<bool>(), v.value("explanation", "")};
    }
    return r;
  } catch (const json::exception& e) {
    throw FormatError(fmt::format("{}: not a loco results file: {}", path, e.what()));
  } catch (const FormatError& e) {
    throw FormatError(fmt::format("{}: {}", path, e.what()));
  }
}

std::string comparison_to_json(const Comparison& c) {
  return comparison_json(c).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string item_to_json(const ItemRecord& it) {
  const bool hide = it.question.empty() && it.outputs.empty() && it.id.rfind("sha256:", 0) == 0;
  json j;
  j["condition"] = it.condition;
  j["set"] = it.set;
  j["id"] = it.id;
  if (!hide) j["question"] = it.question;
  j["answered_by"] = it.answered_by;
  j["correct"] = it.score.correct;
  if (it.score.strict_correct || it.score.samples.empty() || it.score.samples[0].strict_extracted)
    j["strict_correct"] = it.score.strict_correct;
  if (!hide && it.score.answer) j["answer"] = *it.score.answer;
  j["agreement"] = it.score.agreement;
  if (it.score.chosen) j["chosen"] = *it.score.chosen;
  j["passing"] = it.score.passing;
  j["f1"] = it.score.f1;
  j["rouge_l"] = it.score.rouge_l;
  j["prompt_tokens"] = it.prompt_tokens;
  j["generated_tokens"] = it.generated_tokens;
  if (!hide) j["outputs"] = it.outputs;
  j["samples"] = json::array();
  for (const SampleScore& s : it.score.samples) j["samples"].push_back(sample_json(s, hide));
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

ItemRecord item_from_json(const std::string& line, const std::string& where) {
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw FormatError(where + ": not a JSON object");
  try {
    ItemRecord it;
    it.condition = j.at("condition").get<std::string>();
    it.set = j.value("set", "");
    it.id = j.at("id").get<std::string>();
    it.question = j.value("question", "");
    it.answered_by = j.value("answered_by", "");
    it.score.correct = j.at("correct").get<bool>();
    it.score.strict_correct = j.value("strict_correct", false);
    if (j.contains("answer")) it.score.answer = j["answer"].get<std::string>();
    it.score.agreement = j.value("agreement", "");
    if (j.contains("chosen")) it.score.chosen = j["chosen"].get<size_t>();
    it.score.passing = j.value("passing", 0);
    it.score.f1 = j.value("f1", 0.0);
    it.score.rouge_l = j.value("rouge_l", 0.0);
    it.prompt_tokens = j.value("prompt_tokens", 0);
    it.generated_tokens = j.value("generated_tokens", int64_t{0});
    if (j.contains("outputs")) it.outputs = j["outputs"].get<std::vector<std::string>>();
    if (j.contains("samples"))
      for (const json& s : j["samples"]) it.score.samples.push_back(sample_from(s));
    return it;
  } catch (const json::exception& e) {
    throw FormatError(fmt::format("{}: not an items.jsonl line: {}", where, e.what()));
  }
}

Results load_results(const std::string& dir) {
  std::filesystem::path p(dir);
  if (std::filesystem::is_directory(p)) p /= "results.json";
  return results_from_json(read_file_text(p.string()), p.string());
}

std::vector<ItemRecord> load_items(const std::string& dir) {
  std::filesystem::path p(dir);
  if (!std::filesystem::is_directory(p)) p = p.parent_path();
  p /= "items.jsonl";
  std::vector<ItemRecord> items;
  if (!std::filesystem::exists(p)) return items;
  std::istringstream in(read_file_text(p.string()));
  size_t n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (line.empty()) continue;
    items.push_back(item_from_json(line, fmt::format("{}:{}", p.string(), n)));
  }
  return items;
}

}  // namespace loco::eval
