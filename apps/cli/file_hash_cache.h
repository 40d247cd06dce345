// The sha256 of a large file (a model), remembered between runs: hashing a 2.5 GB model
// takes seconds, and `loco eval` and the v3 router need it on every start.
#pragma once

#include <string>

namespace loco::cli {

// The file's sha256, from <data dir>/file-hashes.json when an entry with the same absolute
// path, size and modification time is there, else computed and recorded. (A file rewritten
// in place with the same size and time would go unnoticed, as with make.) A cache that
// cannot be read or written is ignored.
std::string cached_file_sha256(const std::string& path, const std::string& data_dir);

}  // namespace loco::cli
