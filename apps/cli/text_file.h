// Reading a whole file given on the command line (a prompt, a context, a text).
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include "loco/error.h"

namespace loco::cli {

inline std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace loco::cli
