// Column arithmetic written out digit by digit, the scratchpad a very small model can
// follow: each column is a one-digit fact plus a carry or a borrow, and the result is
// assembled from the written digits. Sums, differences and products by a one-digit
// number; other products and divisions stay one line (multiplication-table facts).
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "loco/datagen.h"

namespace loco::datagen {
namespace {

std::vector<int> digits_low_first(int64_t v) {
  std::vector<int> d;
  do {
    d.push_back(static_cast<int>(v % 10));
    v /= 10;
  } while (v > 0);
  return d;
}

std::string add_columns(int64_t x, int64_t y) {
  const auto a = digits_low_first(x), b = digits_low_first(y);
  const size_t n = std::max(a.size(), b.size());
  std::string out;
  int carry = 0;
  for (size_t i = 0; i < n; ++i) {
    const int da = i < a.size() ? a[i] : 0, db = i < b.size() ? b[i] : 0;
    const int s = da + db + carry;
    out += carry ? fmt::format("{} + {} + 1 = {}", da, db, s) : fmt::format("{} + {} = {}", da, db, s);
    carry = s / 10;
    out += carry && i + 1 < n ? fmt::format(" ({}, carry 1); ", s % 10) : i + 1 < n ? fmt::format(" ({}); ", s) : "; ";
  }
  return out;
}

std::string subtract_columns(int64_t x, int64_t y) {
  const auto a = digits_low_first(x), b = digits_low_first(y);
  std::string out;
  int borrow = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    int top = a[i];
    const int db = i < b.size() ? b[i] : 0;
    bool forced = false;  // a 0 that lends: it becomes 9 and borrows in turn
    if (borrow) {
      if (top == 0) {
        out += "10 - 1 = 9, ";
        top = 9;
        forced = true;
      } else {
        out += fmt::format("{} - 1 = {}, ", top, top - 1);
        top -= 1;
      }
    }
    if (i + 1 == a.size() && top == 0 && db == 0) break;  // nothing left in the top column
    borrow = forced || top < db ? 1 : 0;
    if (!forced && top < db) top += 10;
    out += fmt::format("{} - {} = {}", top, db, top - db);
    out += borrow ? fmt::format(" ({}, borrow 1); ", top - db) : "; ";
  }
  return out;
}

std::string multiply_columns(int64_t x, int64_t m) {
  const auto a = digits_low_first(x);
  std::string out;
  int carry = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const int p = a[i] * static_cast<int>(m) + carry;
    out += carry ? fmt::format("{} * {} + {} = {}", a[i], m, carry, p) : fmt::format("{} * {} = {}", a[i], m, p);
    carry = p / 10;
    out += i + 1 < a.size() ? (carry ? fmt::format(" ({}, carry {}); ", p % 10, carry) : fmt::format(" ({}); ", p)) : "; ";
  }
  return out;
}

}  // namespace

std::string column_working(int64_t x, char op, int64_t y) {
  int64_t r = 0;
  std::string cols;
  switch (op) {
    case '+':
      r = x + y;
      if (x >= 10 || y >= 10) cols = add_columns(x, y);
      break;
    case '-':
      r = x - y;
      if (x >= 10 && y >= 0 && x >= y) cols = subtract_columns(x, y);
      break;
    case '*':
      r = x * y;
      if (x > 12 || y > 12) {
        if (y <= 9) cols = multiply_columns(x, y);
        else if (x <= 9) cols = multiply_columns(y, x);
      }
      break;
    default:
      r = y != 0 ? x / y : 0;
      break;
  }
  return fmt::format("{}so {} {} {} = {}", cols, x, op, y, r);
}

}  // namespace loco::datagen
