// Code voting: run each candidate with the task's tests in the sandbox, then vote among
// the passing ones, grouped by the shape of their code.
//
// Success must mean the tests ran to the end, not merely that the process exited with 0:
// a candidate can call sys.exit(0) before check() runs, and it can print anything. So the
// harness reads a random token from a file it deletes before the candidate runs, and
// prints it (straight to file descriptor 1) only after the check; the parent accepts a
// run only when that line carries this run's token. The token is never in main.py, in the
// environment or on the command line. Code that deliberately searches the harness's own
// frames could still find it; that is outside what this check is for (the sandbox is what
// contains hostile code), and docs/voting.md says so.
#include <fmt/format.h>

#include <map>
#include <random>

#include "loco/vote.h"

namespace loco {
namespace {

constexpr const char* kTokenFile = ".loco_run_token";

std::string random_token() {
  std::random_device device;
  std::string token;
  for (int i = 0; i < 4; ++i) token += fmt::format("{:08x}", device());
  return token;
}

std::string test_program(const CodeTask& task) {
  std::string entry_check;
  if (!task.entry_point.empty()) {
    const std::string& e = task.entry_point;
    if (!task.test_code.empty()) {
      entry_check = fmt::format("    namespace['check'](namespace['{}'])\n", e);
    } else {
      entry_check = fmt::format(
          "    if not callable(namespace.get('{0}')):\n"
          "        raise SystemExit('{0} is not defined')\n", e);
    }
  }
  return fmt::format(R"PY(import os as _loco_os

def _loco_harness():
    import ast, hashlib
    with open('{0}', encoding='ascii') as f:
        token = f.read().strip()
    _loco_os.remove('{0}')
    with open('solution.py', encoding='utf-8') as f:
        source = f.read()
    # The syntax key: the tree without docstrings, so formatting, comments and docstrings
    # do not split the vote.
    try:
        tree = ast.parse(source)
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if (isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                    and body and isinstance(body[0], ast.Expr)
                    and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
                node.body = body[1:] or [ast.Pass()]
        key = hashlib.sha256(ast.dump(tree, annotate_fields=False).encode()).hexdigest()[:16]
        _loco_os.write(1, ("\n@@loco-key " + token + " " + key + "\n").encode())
    except SyntaxError:
        pass
    namespace = {{'__name__': 'solution'}}
    exec(compile(source, 'solution.py', 'exec'), namespace)
    with open('tests.py', encoding='utf-8') as f:
        exec(compile(f.read(), 'tests.py', 'exec'), namespace)
{1}    _loco_os.write(1, ("\n@@loco-done " + token + "\n").encode())

_loco_harness()
)PY", kTokenFile, entry_check);
}

// The value after "@@loco-<what> <token> " on a line of `out`, or nullopt.
std::optional<std::string> marked(const std::string& out, const std::string& what, const std::string& token) {
  const std::string marker = "\n@@loco-" + what + " " + token;
  size_t at = out.find(marker);
  if (at == std::string::npos) return std::nullopt;
  size_t start = at + marker.size();
  size_t end = out.find('\n', start);
  if (end == std::string::npos) return std::nullopt;  // cut off: not a whole line
  std::string value = out.substr(start, end - start);
  if (!value.empty() && value[0] == ' ') value.erase(0, 1);
  return value;
}

}  // namespace

CodeCandidateResult evaluate_code(const std::optional<std::string>& code, const CodeTask& task) {
  CodeCandidateResult result;
  if (!code) return result;
  result.has_code = true;
  std::string solution = task.prelude;
  if (!solution.empty() && solution.back() != '\n') solution += '\n';
  solution += *code;
  const std::string token = random_token();
  result.run = run_python_sandboxed(test_program(task), task.limits,
                                    {{"solution.py", solution}, {"tests.py", task.test_code}, {kTokenFile, token}});
  result.syntax_key = marked(result.run.stdout_text, "key", token);
  result.completed = marked(result.run.stdout_text, "done", token).has_value();
  result.passed = result.completed && result.run.passed && !result.run.timed_out;
  result.tests_ran = result.passed && !task.test_code.empty();
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
    tally.add(r.passed ? r.syntax_key : std::nullopt);
  }
  vote.agreement = tally.agreement();
  if (auto winner = tally.leader()) {
    for (size_t i = 0; i < vote.results.size(); ++i)
      if (vote.results[i].passed && vote.results[i].syntax_key == winner) {
        vote.chosen = i;
        break;
      }
  }
  return vote;
}

}  // namespace loco
