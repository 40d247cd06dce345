// Structured context: parsing the kinds and rubrics, splitting into sections, BM25 against
// a hand-computed case, and selection within a budget (never exceeded, deterministic,
// mandatory parts always kept), on its own and inside a growing conversation.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "locollm/context/context_text.h"
#include "loco/chat_template.h"
#include "loco/context.h"
#include "loco/error.h"
#include "loco/gguf.h"
#include "loco/prompt_builder.h"
#include "test_paths.h"

namespace loco {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(ContextParse, KindsTitlesAndMandatoryDefaults) {
  const ContextDocument plain = parse_context("Some notes.\n", "notes.md");
  EXPECT_EQ(plain.kind, ContextKind::Excerpt);
  EXPECT_FALSE(plain.mandatory);
  EXPECT_EQ(plain.title, "notes.md");
  ASSERT_EQ(plain.sections.size(), 1u);
  EXPECT_EQ(plain.sections[0].text, "Some notes.");

  const ContextDocument spec =
      parse_context("---\nkind: spec\ntitle: Lab 3\nlayout: page\n---\n# Outcomes\nExplain recursion.\n", "lab3.md");
  EXPECT_EQ(spec.kind, ContextKind::Specification);
  EXPECT_TRUE(spec.mandatory);
  EXPECT_EQ(spec.title, "Lab 3");
  ASSERT_EQ(spec.sections.size(), 1u);
  EXPECT_EQ(spec.sections[0].title, "Outcomes");
  EXPECT_EQ(spec.sections[0].line, 6);

  const ContextDocument tmpl = parse_context("---\nkind: template\nmandatory: false\n---\nGiven:\nFind:\n", "t.md");
  EXPECT_EQ(tmpl.kind, ContextKind::Template);
  EXPECT_FALSE(tmpl.mandatory);
  const ContextDocument excerpt = parse_context("---\r\nmandatory: yes\r\n---\r\nKeep this.\r\n", "e.txt");
  EXPECT_TRUE(excerpt.mandatory);
  EXPECT_EQ(excerpt.sections[0].text, "Keep this.");
}

TEST(ContextParse, BadFrontMatterIsOneClearError) {
  EXPECT_TRUE(contains(error_of([] { parse_context("---\nkind: rubrik\n---\nx\n", "r.md"); }),
                       "r.md: front matter: unknown kind 'rubrik'"));
  EXPECT_TRUE(contains(error_of([] { parse_context("---\nkind: rubric\nno end\n", "r.md"); }), "never closed"));
  EXPECT_TRUE(contains(error_of([] { parse_context("---\nmandatory: maybe\n---\nx\n", "r.md"); }),
                       "mandatory must be true or false, not 'maybe'"));
  EXPECT_TRUE(contains(error_of([] { parse_context("---\n- a\n- b\n---\nx\n", "r.md"); }), "'key: value' lines"));
  EXPECT_TRUE(contains(error_of([] { parse_context("---\nkind: [a\n---\nx\n", "r.md"); }), "r.md: front matter"));
  EXPECT_TRUE(contains(error_of([] { parse_context("---\nkind: excerpt\n---\n\n  \n", "r.md"); }), "has no text"));
}

TEST(ContextParse, BinaryAndNonUtf8FilesAreRefused) {
  EXPECT_EQ(error_of([] { parse_context(std::string("abc\0def", 7), "a.bin"); }),
            "a.bin: not a text file (a NUL byte at offset 3); context files must be UTF-8 text");
  EXPECT_TRUE(contains(error_of([] { parse_context("caf\xe9 au lait", "latin1.txt"); }), "offset 3"));
  EXPECT_TRUE(contains(error_of([] { parse_context("\xed\xa0\x80", "surrogate.txt"); }), "invalid UTF-8"));
  EXPECT_TRUE(contains(error_of([] { parse_context("ab\xe2\x82", "cut.txt"); }), "truncated"));
  EXPECT_EQ(parse_context("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "ok.txt").sections[0].text,
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
}

TEST(ContextRubric, HeadingsWithLevelLines) {
  const ContextDocument r = parse_context(
      "---\nkind: rubric\n---\n# Essay rubric\nUse it for the final essay.\n\n## Thesis\n- Excellent: a clear, arguable "
      "claim\n- **Weak**: no claim\n\n## Evidence\n1. strong: three sources\n2. weak: none\n",
      "essay.md");
  EXPECT_TRUE(r.mandatory);
  ASSERT_EQ(r.criteria.size(), 2u);
  EXPECT_EQ(r.criteria[0].name, "Thesis");
  EXPECT_EQ(r.criteria[0].levels,
            (std::vector<std::pair<std::string, std::string>>{{"Excellent", "a clear, arguable claim"}, {"Weak", "no claim"}}));
  EXPECT_EQ(r.criteria[1].name, "Evidence");
  ASSERT_EQ(r.sections.size(), 1u);
  EXPECT_EQ(r.sections[0].text,
            "- Thesis: Excellent = a clear, arguable claim; Weak = no claim\n- Evidence: strong = three sources; weak = none");
}

TEST(ContextRubric, MarkdownTable) {
  const ContextDocument r = parse_context(
      "---\nkind: rubric\n---\n| Criterion | Excellent | Adequate | Weak |\n|---|:---:|---|---|\n"
      "| Thesis | clear claim | vague claim | none |\n| **Evidence** | 3 sources | 1 source | |\n",
      "table.md");
  ASSERT_EQ(r.criteria.size(), 2u);
  EXPECT_EQ(r.criteria[1].name, "Evidence");
  EXPECT_EQ(r.criteria[1].levels,
            (std::vector<std::pair<std::string, std::string>>{{"Excellent", "3 sources"}, {"Adequate", "1 source"}}));
}

TEST(ContextRubric, MalformedRubricsNameTheProblemAndLine) {
  EXPECT_TRUE(contains(error_of([] { parse_context("---\nkind: rubric\n---\nBe good.\n", "r.md"); }),
                       "r.md: this rubric has no criteria"));
  EXPECT_EQ(error_of([] { parse_context("---\nkind: rubric\n---\n## Clarity\n- good\n- bad\n", "r.md"); }),
            "r.md:4: rubric criterion 'Clarity' has no levels: write each as '- level: what it looks like'");
  EXPECT_EQ(error_of([] { parse_context("---\nkind: rubric\n---\n| C | A | B |\n|---|---|---|\n| x | 1 |\n", "r.md"); }),
            "r.md:6: this rubric row has 2 cells, but the header has 3");
  EXPECT_TRUE(contains(error_of([] { parse_context("---\nkind: rubric\n---\n| C | A |\n| x | 1 |\n", "r.md"); }),
                       "r.md:4: a rubric table needs a separator row"));
  EXPECT_TRUE(contains(error_of([] { parse_context("---\nkind: rubric\n---\n| C | A |\n|---|---|\n| x | |\n", "r.md"); }),
                       "rubric criterion 'x' has no levels"));
}

TEST(ContextSections, MarkdownSplitsAtHeadingsOutsideFences) {
  const ContextDocument d = parse_context(
      "Opening words.\n\n# Setup\nInstall it.\n```sh\n# not a heading\nmake\n```\n## Use\nRun it.\n", "guide.md");
  ASSERT_EQ(d.sections.size(), 3u);
  EXPECT_EQ(d.sections[0].title, "guide.md");
  EXPECT_EQ(d.sections[0].text, "Opening words.");
  EXPECT_EQ(d.sections[1].title, "Setup");
  EXPECT_EQ(d.sections[1].text, "# Setup\nInstall it.\n```sh\n# not a heading\nmake\n```");
  EXPECT_EQ(d.sections[1].line, 3);
  EXPECT_EQ(d.sections[2].title, "Use");
  EXPECT_EQ(d.sections[2].line, 9);
}

TEST(ContextSections, LongSectionsSplitAtParagraphsUnderTheLimit) {
  std::string body = "# Long\n";
  std::vector<std::string> paragraphs;
  for (int i = 0; i < 40; ++i) {
    paragraphs.push_back(fmt::format("Paragraph {} says something about topic {} in a sentence of some length.", i, i % 7));
    body += paragraphs.back() + "\n\n";
  }
  body += std::string(5000, 'z') + "\n";  // one line longer than a section may be
  const ContextDocument d = parse_context(body, "long.md");
  ASSERT_GT(d.sections.size(), 2u);
  EXPECT_EQ(d.sections[0].title, "Long");
  EXPECT_EQ(d.sections[1].title, "Long (part 2)");
  std::string all;
  for (const ContextSection& s : d.sections) {
    EXPECT_LE(s.text.size(), context_detail::kMaxSectionBytes) << s.title;
    all += s.text + "\n";
  }
  // Every paragraph is in exactly one section, whole, in order; the long line is all there.
  size_t at = 0;
  for (const std::string& p : paragraphs) {
    const size_t found = all.find(p, at);
    ASSERT_NE(found, std::string::npos) << p;
    EXPECT_EQ(all.find(p, found + 1), std::string::npos) << p;
    at = found + p.size();
  }
  EXPECT_EQ(std::count(all.begin(), all.end(), 'z'), 5000);
}

TEST(ContextSections, CodeSplitsAtTopLevelDefinitions) {
  const ContextDocument d = parse_context(
      "import os\n\n# helper\ndef add(a, b):\n    return a + b\n\nclass Box:\n    def __init__(self):\n        pass\n\n"
      "    def size(self):\n        return 1\n\ndef main():\n    print(add(1, 2))\n",
      "student.py");
  ASSERT_EQ(d.sections.size(), 4u);
  EXPECT_EQ(d.sections[0].title, "import os");
  EXPECT_EQ(d.sections[1].title, "def add(a, b):");
  EXPECT_EQ(d.sections[1].text, "# helper\ndef add(a, b):\n    return a + b");
  EXPECT_EQ(d.sections[2].title, "class Box:");
  EXPECT_TRUE(contains(d.sections[2].text, "def size(self):"));
  EXPECT_EQ(d.sections[3].title, "def main():");
  EXPECT_EQ(d.sections[3].line, 14);

  const ContextDocument c = parse_context("int f() {\n  return 1;\n\n}\n\nint g() { return 2; }\n", "a.c");
  ASSERT_EQ(c.sections.size(), 2u);  // a closing brace after a blank line does not start a definition
  EXPECT_EQ(c.sections[1].title, "int g() { return 2; }");
}

// Three documents worked by hand: lengths 2, 3 and 2 terms (average 7/3); "apple" and
// "cherry" each occur in two of the three, so idf = ln(1 + (3 - 2 + 0.5) / (2 + 0.5)) = ln 1.6.
TEST(ContextBm25, MatchesAHandComputedCase) {
  const std::vector<std::string> docs = {"Apple banana", "apple apple cherry", "cherry date"};
  const std::vector<double> s = bm25_scores("What is an apple? A cherry!", docs);
  const double idf = std::log(1.6);
  auto term = [&](double tf, double length) {
    return idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / (7.0 / 3.0)));
  };
  ASSERT_EQ(s.size(), 3u);
  EXPECT_NEAR(s[0], term(1, 2), 1e-12);                 // 0.4992
  EXPECT_NEAR(s[1], term(2, 3) + term(1, 3), 1e-12);    // apple twice, cherry once
  EXPECT_NEAR(s[2], term(1, 2), 1e-12);
  EXPECT_NEAR(s[0], 0.49918, 1e-4);
  EXPECT_GT(s[1], s[0]);
  // Stop words and case do not count; no query term: all zero.
  EXPECT_EQ(bm25_terms("The Apple IS red"), (std::vector<std::string>{"apple", "red"}));
  EXPECT_EQ(bm25_scores("what is the", docs), (std::vector<double>{0, 0, 0}));
}

// A word counter stands in for a tokenizer where exact counts make the case readable.
int64_t count_words(std::string_view text) {
  int64_t n = 0;
  bool in_word = false;
  for (char c : text) {
    const bool w = c != ' ' && c != '\n';
    if (w && !in_word) ++n;
    in_word = w;
  }
  return n;
}

std::vector<ContextDocument> sample_pack() {
  return {parse_context("# Loops\nA for loop repeats.\n\n# Recursion\nA function calls itself; recursion needs a base "
                        "case.\n\n# Lists\nLists hold items.\n",
                        "notes.md"),
          parse_context("---\nkind: rubric\n---\n## Correctness\n- full: right answer\n", "rubric.md")};
}

TEST(ContextSelect, EverythingFitsThenTheMostRelevantInOriginalOrder) {
  const std::vector<ContextDocument> docs = sample_pack();
  const ContextSelection all = select_context(docs, "Explain recursion", 1000, count_words);
  EXPECT_EQ(all.used_count(), 4u);
  EXPECT_EQ(all.text,
            "Excerpt from notes.md:\n# Loops\nA for loop repeats.\n\n# Recursion\nA function calls itself; recursion "
            "needs a base case.\n\n# Lists\nLists hold items.\n\nRubric (rubric.md): the answer will be checked against "
            "these criteria.\n- Correctness: full = right answer\n\n");
  EXPECT_EQ(all.used_tokens, count_words(all.text));

  // Room for the rubric and one section: the recursion section, the only one naming it.
  const int64_t rubric = count_words(render_mandatory_context(docs));
  const int64_t header = count_words("Excerpt from notes.md:\n");
  const int64_t recursion = count_words("# Recursion\nA function calls itself; recursion needs a base case.\n\n");
  const ContextSelection one = select_context(docs, "Explain recursion", rubric + header + recursion, count_words);
  ASSERT_EQ(one.sections.size(), 4u);
  EXPECT_FALSE(one.sections[0].used);
  EXPECT_TRUE(one.sections[1].used);
  EXPECT_FALSE(one.sections[2].used);
  EXPECT_TRUE(one.sections[3].used);  // the rubric
  EXPECT_TRUE(one.sections[3].mandatory);
  EXPECT_GT(one.sections[1].score, 0.0);
  EXPECT_EQ(one.sections[0].score, 0.0);
  EXPECT_TRUE(contains(one.text, "calls itself"));
  EXPECT_FALSE(contains(one.text, "for loop"));

  // Loops and lists, not recursion: they come out in the file's order with a gap marker
  // only where something between them was left out.
  const int64_t gap_marker = 1;
  const ContextSelection two =
      select_context(docs, "loops and lists", all.used_tokens - recursion + gap_marker, count_words);
  EXPECT_TRUE(two.sections[0].used);
  EXPECT_FALSE(two.sections[1].used);
  EXPECT_TRUE(two.sections[2].used);
  EXPECT_LT(two.text.find("for loop"), two.text.find("[...]"));
  EXPECT_LT(two.text.find("[...]"), two.text.find("Lists hold"));
  EXPECT_LE(two.used_tokens, two.budget_tokens);
}

TEST(ContextSelect, MandatoryOverTheBudgetSaysByHowMuch) {
  const std::vector<ContextDocument> docs = sample_pack();
  const int64_t rubric = count_words(render_mandatory_context(docs));
  EXPECT_EQ(error_of([&] { select_context(docs, "q", rubric - 3, count_words); }),
            fmt::format("the mandatory context (rubric.md) needs {} tokens, 3 more than the {} this prompt leaves for "
                        "context; shorten it, mark a file 'mandatory: false', raise --ctx or lower --max-tokens",
                        rubric, rubric - 3));
  const ContextSelection exact = select_context(docs, "q", rubric, count_words);
  EXPECT_EQ(exact.used_count(), 1u);
  EXPECT_EQ(exact.used_tokens, rubric);
}

// Property: over random packs, questions and budgets, with the real tokenizer, the chosen
// text never passes the budget, its count is the one reported, mandatory sections are
// always in (or the error says they cannot be), and the same inputs give the same choice.
TEST(ContextSelect, NeverExceedsTheBudgetOverRandomCases) {
  GgufFile f = GgufFile::open(test::model_path("tiny-qwen3-f32.gguf"));
  const Tokenizer tok = Tokenizer::from_gguf(f);
  const TokenCounter count = [&](std::string_view t) { return static_cast<int64_t>(tok.encode(t, false, false).size()); };
  const std::vector<std::string> words = {"apple", "river", "graph", "node", "loop", "tree", "sum", "essay",
                                          "claim", "source", "proof", "list", "café", "naïve", "x", "42"};
  std::mt19937 rng(7);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  int cut_cases = 0;
  for (int trial = 0; trial < 150; ++trial) {
    std::vector<ContextDocument> docs;
    const size_t n_docs = 1 + pick(4);
    for (size_t d = 0; d < n_docs; ++d) {
      std::string text;
      const bool mandatory = pick(5) == 0;
      if (mandatory) text += "---\nkind: template\n---\n";
      const size_t n_sections = 1 + pick(6);
      for (size_t s = 0; s < n_sections; ++s) {
        text += "# Part " + std::to_string(s) + "\n";
        const size_t n_words = 1 + pick(60);
        for (size_t w = 0; w < n_words; ++w) text += words[pick(words.size())] + (pick(9) == 0 ? ".\n" : " ");
        text += "\n\n";
      }
      docs.push_back(parse_context(text, fmt::format("doc{}.md", d)));
    }
    std::string question;
    for (int w = 0; w < 4; ++w) question += words[pick(words.size())] + " ";
    const int64_t budget = static_cast<int64_t>(pick(400));
    ContextSelection sel;
    try {
      sel = select_context(docs, question, budget, count);
    } catch (const Error& e) {
      EXPECT_GT(count(render_mandatory_context(docs)), budget) << e.what();
      continue;
    }
    EXPECT_LE(sel.used_tokens, budget);
    EXPECT_EQ(sel.used_tokens, sel.text.empty() ? 0 : count(sel.text));
    for (const ContextSectionChoice& c : sel.sections) {
      if (c.mandatory) {
        EXPECT_TRUE(c.used);
        EXPECT_TRUE(contains(sel.text, docs[c.document].sections[c.section].text));
      }
    }
    if (sel.left_out_count() > 0) ++cut_cases;
    const ContextSelection again = select_context(docs, question, budget, count);
    EXPECT_EQ(again.text, sel.text);
  }
  EXPECT_GT(cut_cases, 20);  // the budgets did bite
}

// A conversation that grows with a rubric and notes as context: every turn fits, the
// rubric is in every prompt, and the notes shrink as the history takes the room.
TEST(ContextInConversation, StaysWithinTheWindowAsTheConversationGrows) {
  GgufFile f = GgufFile::open(test::model_path("tiny-qwen3-f32.gguf"));
  const Tokenizer tok = Tokenizer::from_gguf(f);
  PromptSpec spec;
  std::string notes;
  for (int i = 0; i < 12; ++i) notes += fmt::format("# Topic {}\nFacts about apples number {} are here.\n\n", i, i);
  spec.context = {parse_context(notes, "notes.md"),
                  parse_context("---\nkind: rubric\n---\n## Accuracy\n- good: correct facts\n", "rubric.md")};
  const int32_t n_ctx = 512, answer = 64;
  size_t first_used = 0, least_used = 1000;
  for (int turn = 0; turn < 40; ++turn) {
    spec.question = fmt::format("Tell me about apples number {}.", turn % 12);
    const FittedPrompt p = fit_prompt(spec, tok, ChatFormat::Qwen3, ChatOptions{}, n_ctx, answer);
    EXPECT_LE(static_cast<int64_t>(p.tokens.size()) + p.answer_tokens, n_ctx) << turn;
    EXPECT_TRUE(contains(tok.decode(p.tokens), "Accuracy: good = correct facts")) << turn;
    const size_t used = p.context.used_count();
    if (turn == 0) first_used = used;
    least_used = std::min(least_used, used);
    for (int k = 0; k < p.history_turns_dropped; ++k) drop_oldest_turn(spec.history);
    spec.history.push_back({"user", spec.question});
    spec.history.push_back({"assistant", "Apples are fruit, and these ones are red and round and sweet."});
  }
  EXPECT_EQ(first_used, 13u);  // all twelve topics and the rubric fit at first
  EXPECT_LT(least_used, first_used);
}

class ContextFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = (std::filesystem::temp_directory_path() / fmt::format("loco-context-{}", ::getpid())).string();
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir + "/pack/b");
    std::filesystem::create_directories(dir + "/pack/.git");
    write("pack/a.md", "# A\nalpha\n");
    write("pack/b/c.py", "def f():\n    return 1\n");
    write("pack/.git/config", "ignored");
    write("pack/.hidden.md", "ignored");
    write("pack/data.bin", std::string("\x7f" "ELF\0\0", 6));
    write("pack/empty.txt", "\n\n");
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir + "/" + name, std::ios::binary) << text;
  }
  std::string dir;
};

TEST_F(ContextFiles, DirectoriesInPathOrderSkippingHiddenBinaryAndEmpty) {
  const LoadedContext c = load_context(dir + "/pack");
  ASSERT_EQ(c.documents.size(), 2u);
  EXPECT_EQ(c.documents[0].source, dir + "/pack/a.md");
  EXPECT_EQ(c.documents[1].source, dir + "/pack/b/c.py");
  EXPECT_EQ(c.documents[1].sections[0].title, "def f():");
  EXPECT_EQ(c.skipped, (std::vector<std::string>{dir + "/pack/data.bin (not text)", dir + "/pack/empty.txt (empty)"}));
}

TEST_F(ContextFiles, BadPathsAreOneLineErrors) {
  EXPECT_EQ(error_of([&] { load_context(dir + "/missing.md"); }), dir + "/missing.md: no such file or directory");
  EXPECT_TRUE(contains(error_of([&] { load_context(dir + "/pack/data.bin"); }), "data.bin: not a text file"));
  std::filesystem::resize_file(dir + "/pack/a.md", kMaxContextBytes + 1);  // sparse: nothing is written
  EXPECT_TRUE(contains(error_of([&] { load_context(dir + "/pack/a.md"); }), "a.md: 50.0 MB is over the 50 MB limit"));
  EXPECT_TRUE(contains(error_of([&] { load_context(dir + "/pack"); }), "over the 50 MB limit"));
  std::filesystem::create_directories(dir + "/nothing/.x");
  EXPECT_TRUE(contains(error_of([&] { load_context(dir + "/nothing"); }), "holds no text files"));
}

}  // namespace
}  // namespace loco
