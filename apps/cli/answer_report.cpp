#include "answer_report.h"

#include <fmt/format.h>

namespace loco::cli {

namespace {

// Sections grouped by file: "a.md [Intro; Methods], b.py [def f(x):]", at most `limit`
// titles in all.
std::string section_list(const ContextSelection& c, bool used, size_t limit) {
  std::string out;
  std::string open_source;
  size_t shown = 0, hidden = 0;
  for (const ContextSectionChoice& s : c.sections) {
    if (s.used != used) continue;
    if (shown == limit) {
      ++hidden;
      continue;
    }
    if (s.source != open_source) {
      if (!open_source.empty()) out += "], ";
      out += s.source;
      out += " [";
      open_source = s.source;
    } else {
      out += "; ";
    }
    out += s.title;
    ++shown;
  }
  if (!open_source.empty()) out += "]";
  if (hidden > 0) out += fmt::format(" and {} more", hidden);
  return out;
}

}  // namespace

std::string context_summary(const ContextSelection& c) {
  if (c.sections.empty()) return {};
  std::string out = fmt::format("{} of {} sections ({} of {} tokens)", c.used_count(), c.sections.size(),
                                c.used_tokens, c.budget_tokens);
  if (c.used_count() > 0) {
    out += ": used ";
    out += section_list(c, true, 12);
  }
  if (c.left_out_count() > 0) {
    out += c.used_count() > 0 ? "; left out " : ": left out ";
    out += section_list(c, false, 12);
  }
  return out;
}

nlohmann::json context_json(const ContextSelection& c) {
  nlohmann::json sections = nlohmann::json::array();
  for (const ContextSectionChoice& s : c.sections) {
    sections.push_back({{"source", s.source},
                        {"title", s.title},
                        {"kind", context_kind_name(s.kind)},
                        {"mandatory", s.mandatory},
                        {"used", s.used},
                        {"tokens", s.tokens},
                        {"score", s.score}});
  }
  return {{"budget_tokens", c.budget_tokens},
          {"used_tokens", c.used_tokens},
          {"used", c.used_count()},
          {"left_out", c.left_out_count()},
          {"sections", sections}};
}

std::string answer_footer(const QueryResult& r) {
  std::string out;
  const std::string who = r.adapter.empty() ? "the base model" : "the '" + r.adapter + "' adapter";
  out += fmt::format("-- answered by {}: {}\n", who, r.adapter_reason);
  if (!r.remote_model.empty()) out += fmt::format("-- remote model: {}\n", r.remote_model);
  if (r.votes_sampled > 1 || r.votes_requested > 1) {
    std::string line = fmt::format("-- votes: {} agree", r.agreement);
    if (r.answer && (r.eval_type == EvalType::Numeric || r.eval_type == EvalType::MultipleChoice)) {
      line += fmt::format(" on {}", *r.answer);
    }
    if (r.stopped_early) {
      line += fmt::format(" (stopped after {} of {} samples: the rest could not change the result)", r.votes_sampled,
                          r.votes_requested);
    }
    out += line + "\n";
  } else if (r.answer && (r.eval_type == EvalType::Numeric || r.eval_type == EvalType::MultipleChoice)) {
    out += fmt::format("-- answer: {}\n", *r.answer);
  }
  if (r.code_check != CodeCheck::NotCode) {
    out += fmt::format("-- code: {}{}\n", code_check_name(r.code_check),
                       r.code_check_detail.empty() ? std::string() : " (" + r.code_check_detail + ")");
  }
  if (const std::string c = context_summary(r.context); !c.empty()) out += fmt::format("-- context: {}\n", c);
  for (const std::string& note : r.prompt_notes) out += fmt::format("-- fitted: {}\n", note);
  std::string level = confidence_name(r.confidence);
  for (char& c : level) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  out += fmt::format("-- confidence: {} ({})\n", level, r.confidence_note);
  if (r.confidence == ConfidenceLevel::Low) {
    out += "-- note: loco is not sure about this answer. Please double-check it before relying on it.\n";
  }
  return out;
}

nlohmann::json answer_json(const QueryResult& r) {
  nlohmann::json j;
  j["question"] = r.question;
  j["answer_text"] = r.text;
  j["answer"] = r.answer ? nlohmann::json(*r.answer) : nlohmann::json(nullptr);
  j["adapter"] = r.adapter.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.adapter);
  j["adapter_reason"] = r.adapter_reason;
  if (!r.remote_model.empty()) j["remote_model"] = r.remote_model;
  j["token_probabilities"] = r.token_probabilities;
  if (r.route) {
    nlohmann::json scores = nlohmann::json::array();
    for (const RouteScore& s : r.route->scores) scores.push_back({{"adapter", s.adapter}, {"score", s.score}, {"why", s.why}});
    j["router"] = {{"decision", r.route->adapter.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.route->adapter)},
                   {"confidence", r.route->confidence},
                   {"scores", scores},
                   {"explanation", r.route->explanation}};
  }
  j["eval_type"] = eval_type_name(r.eval_type);
  j["votes"] = {{"requested", r.votes_requested},
                {"sampled", r.votes_sampled},
                {"agreement", r.agreement},
                {"agreement_ratio", r.agreement_ratio},
                {"stopped_early", r.stopped_early}};
  j["mean_log_prob"] = r.mean_log_prob;
  j["prompt_notes"] = r.prompt_notes;
  if (!r.context.sections.empty()) j["context"] = context_json(r.context);
  if (r.code_check != CodeCheck::NotCode) {
    j["code_check"] = {{"result", code_check_name(r.code_check)}, {"detail", r.code_check_detail}};
  }
  j["confidence"] = {{"level", confidence_name(r.confidence)}, {"note", r.confidence_note}};
  nlohmann::json cands = nlohmann::json::array();
  for (const Candidate& c : r.candidates) {
    cands.push_back({{"adapter", c.adapter.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.adapter)},
                     {"answer", c.answer ? nlohmann::json(*c.answer) : nlohmann::json(nullptr)},
                     {"mean_log_prob", c.mean_log_prob},
                     {"stop", stop_reason_name(c.stop)},
                     {"passed", c.passed},
                     {"text", c.text}});
  }
  j["candidates"] = cands;
  j["prompt_tokens"] = r.prompt_tokens;
  j["prompt_tokens_evaluated"] = r.prompt_tokens_evaluated;
  j["seconds"] = {{"prompt", r.prompt_seconds}, {"generate", r.generate_seconds}};
  return j;
}

}  // namespace loco::cli
