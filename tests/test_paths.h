// Where tests find the shared test data and the built CLI.
#pragma once

#include <string>

namespace loco::test {

// ../shared/testdata beside the repository (LOCO_TESTDATA overrides).
std::string testdata_dir();
std::string model_path(const std::string& file);  // testdata/models/<file>
std::string cli_path();                            // the built `loco` executable
// A fresh empty directory under the system temp dir, removed at process exit.
std::string temp_dir();

}  // namespace loco::test
