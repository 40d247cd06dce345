// General English for loco-nano's base model: WordNet 3.0's glosses (Princeton's WordNet
// licence, permissive, notice kept in data/nano/LICENSES.md), read from the files Debian's
// wordnet-base installs, and turned into questions about words in varied wording. Only
// synsets whose gloss has a usage example are used: they are the senses people use.
#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "datagen/picker.h"
#include "datagen/word_lists.h"
#include "loco/datagen.h"
#include "loco/error.h"
#include "loco/rng.h"

namespace loco::datagen {
namespace {

std::string trim(std::string s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// "definition; \"example\"; \"another\"" -> definition and examples.
void split_gloss(const std::string& gloss, Gloss& g) {
  std::string definition;
  size_t i = 0;
  while (i < gloss.size()) {
    if (gloss[i] == '"') {
      const size_t end = gloss.find('"', i + 1);
      if (end == std::string::npos) break;
      g.examples.push_back(gloss.substr(i + 1, end - i - 1));
      i = end + 1;
    } else {
      definition += gloss[i++];
    }
  }
  // What is left between examples is "; " separators.
  definition = trim(definition);
  while (!definition.empty() && (definition.back() == ';' || definition.back() == ' ')) definition.pop_back();
  g.definition = definition;
}

Gloss parse_line(const std::string& line, const std::string& where) {
  const size_t bar = line.find(" | ");
  if (bar == std::string::npos) throw FormatError(where + ": no gloss (\" | \")");
  std::istringstream in(line.substr(0, bar));
  std::string offset, lex_file, type, count_hex;
  if (!(in >> offset >> lex_file >> type >> count_hex)) throw FormatError(where + ": truncated synset header");
  Gloss g;
  g.pos = type == "s" ? 'a' : type.empty() ? '?' : type[0];
  int n_words = 0;
  try {
    n_words = std::stoi(count_hex, nullptr, 16);
  } catch (const std::exception&) {
    throw FormatError(where + ": word count '" + count_hex + "' is not hexadecimal");
  }
  if (n_words <= 0 || n_words > 1000) throw FormatError(where + ": implausible word count " + count_hex);
  for (int w = 0; w < n_words; ++w) {
    std::string word, lex_id;
    if (!(in >> word >> lex_id)) throw FormatError(where + ": fewer words than the count says");
    // Adjectives may carry a marker such as "(a)"; underscores stand for spaces.
    if (const size_t paren = word.find('('); paren != std::string::npos) word.resize(paren);
    for (char& c : word)
      if (c == '_') c = ' ';
    g.words.push_back(word);
  }
  split_gloss(trim(line.substr(bar + 3)), g);
  return g;
}

bool plain_word(const std::string& w) {
  if (w.empty() || w.size() > 20) return false;
  for (char c : w)
    if (!(c >= 'a' && c <= 'z') && c != ' ' && c != '-') return false;
  return true;
}

std::string capitalised(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

}  // namespace

std::vector<Gloss> read_wordnet(const std::string& dir) {
  std::vector<Gloss> out;
  for (const char* part : {"noun", "verb", "adj", "adv"}) {
    const std::string path = dir + "/data." + part;
    std::ifstream in(path);
    if (!in) throw Error(path + ": cannot open (install Debian's wordnet-base, or pass the directory holding data.noun)");
    std::string line;
    for (size_t n = 1; std::getline(in, line); ++n) {
      if (line.empty() || line[0] == ' ') continue;  // the licence header
      Gloss g = parse_line(line, fmt::format("{}:{}", path, n));
      if (g.examples.empty() || g.definition.empty() || g.definition.size() > 160) continue;
      if (!plain_word(g.words.front())) continue;
      out.push_back(std::move(g));
    }
  }
  if (out.empty()) throw Error(dir + ": no usable WordNet synsets");
  return out;
}

std::vector<GeneralQuestion> general_questions(const std::vector<Gloss>& glosses, uint64_t seed, int64_t count,
                                               Split split) {
  if (count < 0) throw Error("the number of questions must not be negative");
  if (split == Split::Dev) throw Error("only math problems have a development split");
  // A fixed tenth of the synsets (by a hash of the first word and gloss) is kept for evaluation.
  std::vector<const Gloss*> pool;
  for (const Gloss& g : glosses) {
    uint64_t h = 1469598103934665603ULL;
    for (char c : g.words.front() + g.definition) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    const bool eval = mix64(h) % 10 == 0;
    if (eval == (split == Split::Eval)) pool.push_back(&g);
  }
  if (pool.empty()) throw Error("no WordNet synsets in this split");
  static const std::vector<const char*> train_q = {"What does the word \"{w}\" mean?", "What is the meaning of \"{w}\"?",
                                                   "Define \"{w}\".", "What does \"{w}\" mean?",
                                                   "Give me the definition of {w}.", "Use the word \"{w}\" in a sentence."};
  static const std::vector<const char*> eval_q = {"Can you explain what \"{w}\" means?", "Explain the word {w}."};
  Picker p(seed, split == Split::Train ? 401 : 402);
  std::vector<GeneralQuestion> out;
  for (int64_t i = 0; i < count; ++i) {
    const Gloss& g = *p.pick(pool);
    const std::string& w = p.pick(g.words);
    const auto& wordings = split == Split::Train ? train_q : eval_q;
    const std::string& example = p.pick(g.examples);
    // "Use it in a sentence" only when the example does use the word.
    const bool can_use = example.find(w) != std::string::npos;
    const auto n_wordings = static_cast<int64_t>(wordings.size()) - (split == Split::Train && !can_use ? 1 : 0);
    const auto which = static_cast<size_t>(p.uniform(0, n_wordings - 1));
    GeneralQuestion q;
    q.question = fill(wordings[which], {{"w", w}});
    if (split == Split::Train && which + 1 == wordings.size()) {
      q.answer = capitalised(example) + ".";
    } else {
      const char* kind = g.pos == 'n' ? "noun" : g.pos == 'v' ? "verb" : g.pos == 'a' ? "adjective" : "adverb";
      q.answer = fmt::format("\"{}\" ({}) means: {}. For example: \"{}\".", capitalised(w), kind, g.definition, example);
    }
    out.push_back(std::move(q));
  }
  return out;
}

}  // namespace loco::datagen
