// Errors that a user or a file can cause. Thrown inside the library, caught once at the
// CLI (or server) boundary and printed as one line. Programming mistakes use assert.
#pragma once

#include <stdexcept>
#include <string>

namespace loco {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// The input file is malformed, truncated or hostile.
class FormatError : public Error {
 public:
  using Error::Error;
};

// The input is well-formed but uses something this build does not support.
class UnsupportedError : public Error {
 public:
  using Error::Error;
};

}  // namespace loco
