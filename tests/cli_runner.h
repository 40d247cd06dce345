// Running the built `loco` executable from tests: output, exit code, one-line errors.
#pragma once

#include <string>
#include <vector>

namespace loco::test {

struct CliResult {
  int exit_code = -1;
  std::string out, err;
};

std::string read_file(const std::string& path);

// Runs any program (argv[0] looked up on PATH), capturing its output.
CliResult run_program(const std::vector<std::string>& argv);

// Runs `loco ARGS...` with extra environment entries ("NAME=value") for the child only,
// in `cwd` when given.
CliResult run_loco(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                   const std::string& cwd = "");

// The CLI's error convention: exit status 1 and exactly one line, "loco: error: ...",
// naming `needle`.
void expect_one_line_error(const CliResult& r, const std::string& needle);

}  // namespace loco::test
