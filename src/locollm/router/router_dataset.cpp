// The router's labelled queries, built from the shared datasets by code so anyone can
// rebuild exactly the same set (see docs/router.md).
#include <filesystem>
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "loco/error.h"
#include "loco/router_data.h"

namespace loco {
namespace {

using nlohmann::json;

uint64_t fnv1a64(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

std::ifstream open_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open");
  return in;
}

// Calls visit(object, line_number) for each non-blank line, which must be a JSON object.
template <typename Visit>
void for_each_jsonl(const std::string& path, Visit visit) {
  std::ifstream in = open_text(path);
  std::string line;
  for (int64_t n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
      throw FormatError(fmt::format("{}:{}: not a JSON object", path, n));
    }
    visit(j, n);
  }
}

std::string string_member(const json& j, const char* key, const std::string& path, int64_t line) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    throw FormatError(fmt::format("{}:{}: no non-empty string \"{}\"", path, line, key));
  }
  return it->get<std::string>();
}

void add_questions(const std::string& dir, const std::string& file, const char* key,
                   const std::string& label, std::vector<LabelledQuery>& out) {
  const std::string path = dir + "/" + file;
  for_each_jsonl(path, [&](const json& j, int64_t line) {
    out.push_back({string_member(j, key, path, line), label, file, ""});
  });
}

}  // namespace

std::vector<LabelledQuery> build_router_dataset(const RouterDataOptions& options) {
  const std::string& dir = options.data_dir;
  std::vector<LabelledQuery> out;

  add_questions(dir, "locollm-v1/math.jsonl", "question", "math", out);
  // GSM8K: the questions of train and test, ordered by hash, the first max_gsm8k kept.
  std::vector<std::pair<uint64_t, LabelledQuery>> gsm8k;
  // The repository's data/eval bundles GSM8K's test split only; either file may be absent,
  // not both.
  const bool has_train = std::filesystem::exists(dir + "/gsm8k/train.jsonl");
  for (const char* file : {"gsm8k/train.jsonl", "gsm8k/test.jsonl"}) {
    const std::string path = dir + "/" + file;
    if (!has_train && std::string_view(file) == "gsm8k/train.jsonl") continue;
    for_each_jsonl(path, [&](const json& j, int64_t line) {
      std::string q = string_member(j, "question", path, line);
      const uint64_t h = fnv1a64(q);
      gsm8k.push_back({h, {std::move(q), "math", file, ""}});
    });
  }
  std::sort(gsm8k.begin(), gsm8k.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second.text < b.second.text;
  });
  const size_t keep = std::min(gsm8k.size(), static_cast<size_t>(std::max(0, options.max_gsm8k)));
  for (size_t i = 0; i < keep; ++i) out.push_back(std::move(gsm8k[i].second));

  add_questions(dir, "locollm-v1/code.jsonl", "question", "code", out);
  {
    const std::string path = dir + "/humaneval/HumanEval.jsonl";
    for_each_jsonl(path, [&](const json& j, int64_t line) {
      out.push_back({string_member(j, "prompt", path, line), "code", "humaneval/HumanEval.jsonl",
                     string_member(j, "task_id", path, line)});
    });
  }

  add_questions(dir, "locollm-v1/analysis.jsonl", "question", "analysis", out);

  std::ifstream in = open_text(options.none_file);
  std::string line;
  while (std::getline(in, line)) {
    const size_t a = line.find_first_not_of(" \t\r");
    if (a == std::string::npos || line[a] == '#') continue;
    const size_t b = line.find_last_not_of(" \t\r");
    out.push_back(
        {line.substr(a, b - a + 1), std::string(kBaseModelLabel), "none_queries.txt", ""});
  }
  std::vector<std::string> labelled = options.extra_files;
  if (!options.natural_file.empty()) labelled.insert(labelled.begin(), options.natural_file);
  for (const std::string& path : labelled) {
    for (LabelledQuery& q : read_labelled_jsonl(path)) {
      if (q.source.empty()) q.source = path;
      out.push_back(std::move(q));
    }
  }
  return out;
}

RouterSplit router_split_of(const LabelledQuery& query) {
  const uint64_t bucket = fnv1a64(query.group.empty() ? query.text : query.group) % 100;
  if (bucket < 20) return RouterSplit::HeldOut;
  if (bucket < 35) return RouterSplit::Calibration;
  return RouterSplit::Train;
}

RouterSplits split_router_dataset(const std::vector<LabelledQuery>& queries) {
  RouterSplits s;
  for (const LabelledQuery& q : queries) {
    switch (router_split_of(q)) {
      case RouterSplit::Train:
        s.train.push_back(q);
        break;
      case RouterSplit::Calibration:
        s.calibration.push_back(q);
        break;
      case RouterSplit::HeldOut:
        s.held_out.push_back(q);
        break;
    }
  }
  return s;
}

std::vector<LabelledQuery> read_labelled_jsonl(const std::string& path) {
  std::vector<LabelledQuery> out;
  for_each_jsonl(path, [&](const json& j, int64_t line) {
    LabelledQuery q{string_member(j, "query", path, line), string_member(j, "label", path, line),
                    "", ""};
    if (auto it = j.find("source"); it != j.end() && it->is_string())
      q.source = it->get<std::string>();
    out.push_back(std::move(q));
  });
  return out;
}

void write_labelled_jsonl(const std::string& path, const std::vector<LabelledQuery>& queries) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(path + ": cannot write");
  for (const LabelledQuery& q : queries) {
    json j = {{"query", q.text}, {"label", q.label}, {"source", q.source}};
    out << j.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
  }
  if (!out.flush()) throw Error(path + ": write failed");
}

}  // namespace loco
