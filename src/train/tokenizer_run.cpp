// `loco train tokenizer` behind include/loco/train.h: reads the texts, trains the
// vocabulary (bpe_trainer.h), writes it and measures it on the same texts.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "loco/error.h"
#include "loco/gguf.h"
#include "loco/tokenizer.h"
#include "loco/train.h"
#include "train/bpe_trainer.h"

namespace loco {
namespace {

void collect_strings(const nlohmann::json& j, std::vector<std::string>& out) {
  if (j.is_string()) {
    out.push_back(j.get<std::string>());
  } else if (j.is_array() || j.is_object()) {
    for (const auto& item : j) collect_strings(item, out);
  }
}

// A JSONL file gives every string of every line (role names included: they are text the
// model will see too); any other file gives its lines.
void read_texts(const std::string& path, std::vector<std::string>& out, int64_t& bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open");
  const bool jsonl = std::filesystem::path(path).extension() == ".jsonl";
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    bytes += static_cast<int64_t>(line.size()) + 1;
    if (!jsonl) {
      out.push_back(line + "\n");
      continue;
    }
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      collect_strings(nlohmann::json::parse(line), out);
    } catch (const nlohmann::json::exception&) {
      throw Error(fmt::format("{}:{}: not valid JSON", path, line_no));
    }
  }
}

}  // namespace

TokenizerTrainResult train_tokenizer(const TokenizerTrainRequest& q) {
  if (q.data.empty()) throw Error("no training text given");
  if (q.out.empty()) throw Error("--out: an output file is needed");
  std::vector<std::string> texts;
  TokenizerTrainResult r;
  for (const std::string& path : q.data) read_texts(path, texts, r.text_bytes);
  train::BpeTrainOptions o;
  o.vocab_size = q.vocab_size;
  o.pre = q.pre;
  o.min_frequency = q.min_frequency;
  const train::BpeVocabulary v = train::train_bpe(texts, o);
  GgufWriter w;
  w.set_string("general.type", "vocabulary");
  w.set_string("general.name", std::filesystem::path(q.out).stem().string());
  set_bpe_vocabulary(w, v);
  w.write(q.out);
  r.vocab_size = static_cast<int32_t>(v.tokens.size());
  r.n_merges = static_cast<int64_t>(v.merges.size());
  const Tokenizer tok = Tokenizer::from_gguf(GgufFile::open(q.out));
  for (const std::string& t : texts) r.tokens_of_text += static_cast<int64_t>(tok.encode(t, false, false).size());
  return r;
}

}  // namespace loco
