#include "cli_runner.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "test_paths.h"

namespace loco::test {
namespace {

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') {
      q.append("'\\''");
    } else {
      q.push_back(c);
    }
  }
  q.push_back('\'');
  return q;
}

// Runs a shell command line with stdout and stderr captured.
CliResult run_command(std::string cmd) {
  const std::string io = temp_dir();
  cmd.append(" >").append(io).append("/out 2>").append(io).append("/err");
  const int status = std::system(cmd.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(io + "/out");
  r.err = read_file(io + "/err");
  return r;
}

}  // namespace

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

CliResult run_program(const std::vector<std::string>& argv) {
  std::string cmd;
  for (const std::string& a : argv) cmd.append(cmd.empty() ? "" : " ").append(quote(a));
  return run_command(cmd);
}

CliResult run_loco(const std::vector<std::string>& args, const std::vector<std::string>& env,
                   const std::string& cwd) {
  std::string cmd;
  if (!cwd.empty()) cmd.append("cd ").append(quote(cwd)).append(" && ");
  cmd.append("env");
  for (const std::string& e : env) cmd.append(" ").append(quote(e));
  cmd.append(" ").append(quote(cli_path()));
  for (const std::string& a : args) cmd.append(" ").append(quote(a));
  return run_command(cmd);
}

void expect_one_line_error(const CliResult& r, const std::string& needle) {
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.err.rfind("loco: error: ", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
}

}  // namespace loco::test
