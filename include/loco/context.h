// Structured context: the material a question comes with (a rubric, a specification, a
// task template, excerpts of notes or code), read from files, split into sections and
// fitted into the token budget the prompt leaves (docs/context.md).
//
// A context file is UTF-8 text with optional YAML front matter:
//   ---
//   kind: rubric          # rubric | specification | template | excerpt (the default)
//   title: Essay rubric   # optional; the file name otherwise
//   mandatory: true       # optional; rubric, specification and template default to true
//   ---
// The kind decides how the file enters the prompt: a rubric as the criteria the answer is
// checked against, a template as the structure asked for, a specification as what the
// answer must satisfy, an excerpt as quoted material. Mandatory documents always enter
// whole; the sections of the others are ranked by relevance to the question (BM25) and the
// best that fit are kept, in their original order.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace loco {

enum class ContextKind { Rubric, Specification, Template, Excerpt };
const char* context_kind_name(ContextKind kind);  // "rubric", "specification", ...

// One rubric criterion: its name and its levels, best first as written.
struct RubricCriterion {
  std::string name;
  std::vector<std::pair<std::string, std::string>> levels;  // (level, description)
};

// A unit of selection: a heading's text, a paragraph group, or a top-level definition.
struct ContextSection {
  std::string title;  // the heading, or the definition's first line
  std::string text;   // as written (a heading section starts with its heading line)
  int line = 1;       // where it starts in the file
};

struct ContextDocument {
  std::string source;  // the path as given (shown in the prompt and the report)
  std::string title;
  ContextKind kind = ContextKind::Excerpt;
  bool mandatory = false;
  std::vector<RubricCriterion> criteria;   // rubric: parsed from the body
  std::vector<ContextSection> sections;    // at least one
};

// The largest context file (and directory) read: anything larger is refused.
inline constexpr uint64_t kMaxContextBytes = 50ull << 20;
// A directory holds at most this many files.
inline constexpr size_t kMaxContextFiles = 1000;

// Parses one file's text. `source` names it in errors ("notes.md:12: ...") and decides
// how an excerpt is split: code (by extension: .py, .c, .cpp, .js, ...) by top-level
// definitions, anything else by Markdown headings, long sections by paragraphs. Throws
// FormatError for bad front matter, a rubric without criteria or a criterion without
// levels, and for text that is not UTF-8 (binary files).
ContextDocument parse_context(std::string_view text, const std::string& source);

// Reads a file, or every file of a directory (recursively, sorted by path; hidden entries
// skipped; binary files inside a directory skipped and named in `skipped`). Throws Error
// for a missing or unreadable path, a file over kMaxContextBytes, or a binary file given
// by name.
struct LoadedContext {
  std::vector<ContextDocument> documents;
  std::vector<std::string> skipped;  // "dir/a.bin (binary)"
};
LoadedContext load_context(const std::string& path);

// BM25 (k1 = 1.2, b = 0.75) of each document for the query; the terms are lower-cased
// runs of letters and digits (non-ASCII bytes count as letters), without a short list of
// English stop words. Documents with no query term score 0.
std::vector<double> bm25_scores(const std::string& query, const std::vector<std::string>& documents);
std::vector<std::string> bm25_terms(std::string_view text);

// What happened to one section in a selection.
struct ContextSectionChoice {
  size_t document = 0, section = 0;  // indices into the documents given
  std::string source, title;
  ContextKind kind = ContextKind::Excerpt;
  bool mandatory = false;
  bool used = false;
  int64_t tokens = 0;  // its rendered block
  double score = 0;    // BM25 against the question (0 for mandatory sections)
};

struct ContextSelection {
  std::string text;        // what enters the prompt, before the question ("" if nothing)
  int64_t budget_tokens = 0;
  int64_t used_tokens = 0; // of `text`, counted on its own
  std::vector<ContextSectionChoice> sections;  // every section, in document order
  size_t used_count() const;
  size_t left_out_count() const;
};

using TokenCounter = std::function<int64_t(std::string_view)>;

// Chooses what fits in `budget_tokens`: every mandatory document whole, then the other
// sections by BM25 score against `question` (ties: the earlier section), each taken if it
// still fits; the text keeps the documents' and sections' original order. Deterministic.
// When the mandatory documents alone need more than the budget, throws Error saying which
// they are and by how many tokens they are over.
ContextSelection select_context(const std::vector<ContextDocument>& documents, const std::string& question,
                                int64_t budget_tokens, const TokenCounter& count_tokens);

// The mandatory documents alone, rendered as select_context would (the least a prompt with
// this context can hold).
std::string render_mandatory_context(const std::vector<ContextDocument>& documents);

}  // namespace loco
