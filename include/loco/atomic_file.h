// Writing a whole file so that readers never see half of it: the registry, loss curves,
// generated data.
#pragma once

#include <string>

namespace loco {

// Writes `text` to `path` through a temporary file in the same directory, fsync and a
// rename. Creates missing parent directories. Throws Error naming the path on failure
// (the temporary file is removed).
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace loco
