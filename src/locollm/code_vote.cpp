// Code voting: run each candidate with the task's tests in the sandbox, then vote among
// the passing ones, grouped by the shape of their code.
#include <map>

#include "loco/vote.h"

namespace loco {
namespace {

constexpr std::string_view kBehaviourMarker = "@@loco-behaviour ";

// main.py: runs solution.py (prelude + candidate) in its own global namespace, then
// the tests, then prints the behaviour key. Keeping the solution in its own file gives
// tracebacks that point at the candidate's lines.
std::string test_program(const CodeTask& task) {
  std::string p =
      "__loco_solution_source = open('solution.py', encoding='utf-8').read()\n"
      "exec(compile(__loco_solution_source, 'solution.py', 'exec'))\n\n";
  p += task.test_code;
  p += "\n\n";
  if (!task.entry_point.empty()) {
    if (!task.test_code.empty()) {
      p += "check(" + task.entry_point + ")\n";
    } else {
      p += "if not callable(globals().get('" + task.entry_point + "')):\n"
           "    raise SystemExit('" + task.entry_point + " is not defined')\n";
    }
  }
  // The behaviour key: the syntax tree without docstrings, so formatting, comments and
  // docstrings do not split the vote.
  p += R"PY(
def __loco_behaviour():
    import ast, hashlib
    tree = ast.parse(__loco_solution_source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return hashlib.sha256(ast.dump(tree, annotate_fields=False).encode()).hexdigest()[:16]
print()
print("@@loco-behaviour " + __loco_behaviour())
)PY";
  return p;
}

std::optional<std::string> behaviour_from(const std::string& out) {
  size_t at = out.rfind(kBehaviourMarker);
  if (at == std::string::npos) return std::nullopt;
  size_t start = at + kBehaviourMarker.size();
  size_t end = out.find('\n', start);
  return out.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

CodeCandidateResult evaluate_code(const std::optional<std::string>& code, const CodeTask& task) {
  CodeCandidateResult result;
  if (!code) return result;
  result.has_code = true;
  std::string solution = task.prelude;
  if (!solution.empty() && solution.back() != '\n') solution += '\n';
  solution += *code;
  result.run = run_python_sandboxed(test_program(task), task.limits, {{"solution.py", solution}});
  result.passed = result.run.passed;
  if (result.passed) {
    result.behaviour = behaviour_from(result.run.stdout_text);
    // A candidate that ends the program itself (sys.exit(0)) prints no key: its code text
    // stands in for it.
    if (!result.behaviour) result.behaviour = "text:" + *code;
  }
  return result;
}

CodeVote vote_code(const std::vector<std::optional<std::string>>& candidates, const CodeTask& task) {
  CodeVote vote;
  vote.samples = static_cast<int>(candidates.size());
  std::map<std::string, size_t> first_with_code;  // identical code runs once
  VoteTally tally;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const auto& code = candidates[i];
    auto seen = code ? first_with_code.find(*code) : first_with_code.end();
    if (seen != first_with_code.end()) {
      vote.results.push_back(vote.results[seen->second]);
    } else {
      vote.results.push_back(evaluate_code(code, task));
      if (code) first_with_code.emplace(*code, i);
    }
    const CodeCandidateResult& r = vote.results.back();
    vote.passing += r.passed ? 1 : 0;
    tally.add(r.passed ? r.behaviour : std::nullopt);
  }
  vote.agreement = tally.agreement();
  if (auto winner = tally.leader()) {
    for (size_t i = 0; i < vote.results.size(); ++i)
      if (vote.results[i].passed && vote.results[i].behaviour == winner) {
        vote.chosen = i;
        break;
      }
  }
  return vote;
}

}  // namespace loco
