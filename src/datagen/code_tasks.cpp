// Short Python functions from a one-sentence description, in HumanEval's format (prompt =
// signature and docstring, canonical body, check(candidate) tests) so `loco eval` executes
// them in its sandbox. The tests compare the candidate with a reference lambda on inputs
// drawn here, so no expected value is computed in C++. Each family's last wording is kept
// for the evaluation split.
#include <fmt/format.h>

#include <functional>
#include <map>

#include "datagen/picker.h"
#include "datagen/word_lists.h"
#include "loco/datagen.h"
#include "loco/error.h"

namespace loco::datagen {
namespace {

using Args = std::function<std::string(Picker&)>;  // one Python argument tuple, e.g. "(3, 4)"

struct Family {
  const char* name;
  std::vector<const char*> fn_names;
  const char* params;                    // "a, b"
  std::vector<const char*> wordings;     // the docstring; {k} is the family's constant; last is eval-only
  const char* body;                      // "return a + b"
  const char* reference;                 // "lambda a, b: a + b"
  int64_t k_lo = 0, k_hi = 0;            // the constant {k}, when the family has one
  Args args;
};

const std::vector<std::string>& words() {
  static const std::vector<std::string> v = {"level", "apple", "banana", "racecar", "hello", "noon", "python",
                                             "kayak", "river", "stone", "a", "abba", "moon", "tree", "data",
                                             "refer", "sky", "orange", "madam", "loop"};
  return v;
}

std::string int_list(Picker& p, int64_t lo, int64_t hi, int64_t min_len) {
  std::string s = "[";
  const int64_t n = p.uniform(min_len, 6);
  for (int64_t i = 0; i < n; ++i) {
    if (i) s += ", ";
    s += std::to_string(p.uniform(lo, hi));
  }
  return s + "]";
}
std::string quoted(const std::string& w) { return fmt::format("'{}'", w); }
Args two_ints(int64_t lo, int64_t hi) {
  return [lo, hi](Picker& p) { return fmt::format("({}, {})", p.uniform(lo, hi), p.uniform(lo, hi)); };
}
Args one_int(int64_t lo, int64_t hi) {
  return [lo, hi](Picker& p) { return fmt::format("({},)", p.uniform(lo, hi)); };
}
Args one_word() {
  return [](Picker& p) { return fmt::format("({},)", quoted(p.pick(words()))); };
}
Args one_list(int64_t lo, int64_t hi, int64_t min_len = 1) {
  return [lo, hi, min_len](Picker& p) { return fmt::format("({},)", int_list(p, lo, hi, min_len)); };
}

const std::vector<Family>& families() {
  static const std::vector<Family> all = {
      {"add", {"add", "add_numbers", "sum_two"}, "a, b",
       {"Return the sum of a and b.", "Add a and b and return the result.", "Give back a plus b."},
       "return a + b", "lambda a, b: a + b", 0, 0, two_ints(-50, 100)},
      {"subtract", {"subtract", "difference", "minus"}, "a, b",
       {"Return a minus b.", "Subtract b from a and return the result.", "Give back what is left when b is taken from a."},
       "return a - b", "lambda a, b: a - b", 0, 0, two_ints(-50, 100)},
      {"times_k", {"times_k", "scale", "multiply"}, "n",
       {"Return n multiplied by {k}.", "Multiply n by {k} and return the product.", "Give back {k} times n."},
       "return n * {k}", "lambda n: n * {k}", 2, 9, one_int(-20, 50)},
      {"square", {"square", "squared", "sq"}, "n",
       {"Return the square of n.", "Return n multiplied by itself.", "Give back n to the power of two."},
       "return n * n", "lambda n: n * n", 0, 0, one_int(-30, 30)},
      {"is_even", {"is_even", "even", "check_even"}, "n",
       {"Return True if n is even, otherwise False.", "Check whether n is an even number.",
        "Tell whether n can be divided by two with nothing left over (True or False)."},
       "return n % 2 == 0", "lambda n: n % 2 == 0", 0, 0, one_int(-50, 50)},
      {"divisible_by_k", {"divisible", "is_multiple", "divides"}, "n",
       {"Return True if n is divisible by {k}, otherwise False.", "Check whether n is a multiple of {k}.",
        "Tell whether {k} goes into n exactly (True or False)."},
       "return n % {k} == 0", "lambda n: n % {k} == 0", 2, 9, one_int(0, 100)},
      {"max_two", {"larger", "max_of_two", "bigger"}, "a, b",
       {"Return the larger of a and b.", "Return whichever of a and b is bigger.", "Give back the greater number of a and b."},
       "return a if a > b else b", "lambda a, b: max(a, b)", 0, 0, two_ints(-50, 50)},
      {"min_two", {"smaller", "min_of_two", "least"}, "a, b",
       {"Return the smaller of a and b.", "Return whichever of a and b is smaller.", "Give back the lesser number of a and b."},
       "return a if a < b else b", "lambda a, b: min(a, b)", 0, 0, two_ints(-50, 50)},
      {"abs_diff", {"abs_diff", "distance", "gap"}, "a, b",
       {"Return the absolute difference between a and b.", "Return how far apart a and b are, as a non-negative number.",
        "Give back the size of a minus b, ignoring its sign."},
       "return abs(a - b)", "lambda a, b: abs(a - b)", 0, 0, two_ints(-50, 50)},
      {"reverse", {"reverse", "reverse_string", "backwards"}, "s",
       {"Return the string s reversed.", "Return s with its characters in reverse order.", "Give back s read from right to left."},
       "return s[::-1]", "lambda s: s[::-1]", 0, 0, one_word()},
      {"upper", {"shout", "to_upper", "upper"}, "s",
       {"Return s in upper case.", "Return s with every letter capitalised.", "Give back s written in capital letters."},
       "return s.upper()", "lambda s: s.upper()", 0, 0, one_word()},
      {"count_vowels", {"count_vowels", "vowels", "num_vowels"}, "s",
       {"Return how many vowels (a, e, i, o, u) the lowercase string s contains.",
        "Count the letters a, e, i, o and u in the lowercase string s.",
        "Give back the number of vowels in the lowercase word s."},
       "return sum(1 for c in s if c in 'aeiou')", "lambda s: sum(1 for c in s if c in 'aeiou')", 0, 0, one_word()},
      {"is_palindrome", {"is_palindrome", "palindrome", "reads_same"}, "s",
       {"Return True if s reads the same forwards and backwards.", "Check whether the string s is a palindrome.",
        "Tell whether s is unchanged when reversed (True or False)."},
       "return s == s[::-1]", "lambda s: s == s[::-1]", 0, 0, one_word()},
      {"first_char", {"first_letter", "initial", "head_char"}, "s",
       {"Return the first character of the non-empty string s.", "Return the character at the start of s.",
        "Give back the leading character of s."},
       "return s[0]", "lambda s: s[0]", 0, 0, one_word()},
      {"repeat_k", {"repeat", "echo", "times_text"}, "s",
       {"Return the string s repeated {k} times.", "Return {k} copies of s joined together.",
        "Give back s written {k} times in a row."},
       "return s * {k}", "lambda s: s * {k}", 2, 4, one_word()},
      {"sum_list", {"total", "sum_list", "add_all"}, "xs",
       {"Return the sum of the numbers in the list xs.", "Add up every number in xs and return the total.",
        "Give back the total of all the values in xs."},
       "return sum(xs)", "lambda xs: sum(xs)", 0, 0, one_list(-20, 50, 0)},
      {"max_list", {"largest", "max_list", "biggest"}, "xs",
       {"Return the largest number in the non-empty list xs.", "Return the biggest value in xs.",
        "Give back the greatest element of xs."},
       "return max(xs)", "lambda xs: max(xs)", 0, 0, one_list(-50, 50)},
      {"count_even", {"count_even", "evens", "num_even"}, "xs",
       {"Return how many even numbers the list xs contains.", "Count the even values in xs.",
        "Give back the number of elements of xs that are divisible by two."},
       "return sum(1 for x in xs if x % 2 == 0)", "lambda xs: sum(1 for x in xs if x % 2 == 0)", 0, 0,
       one_list(-20, 50, 0)},
      {"keep_even", {"only_even", "filter_even", "keep_even"}, "xs",
       {"Return a list of the even numbers in xs, in their order.", "Return the even values of xs as a new list.",
        "Give back xs without its odd numbers."},
       "return [x for x in xs if x % 2 == 0]", "lambda xs: [x for x in xs if x % 2 == 0]", 0, 0, one_list(-20, 50, 0)},
      {"scale_list", {"scale_all", "multiply_all", "times_each"}, "xs",
       {"Return a list with every number in xs multiplied by {k}.", "Multiply each value of xs by {k} and return the new list.",
        "Give back xs with each element {k} times as big."},
       "return [x * {k} for x in xs]", "lambda xs: [x * {k} for x in xs]", 2, 5, one_list(-20, 20, 0)},
      {"count_above_k", {"count_above", "how_many_over", "above"}, "xs",
       {"Return how many numbers in xs are greater than {k}.", "Count the values of xs that exceed {k}.",
        "Give back the number of elements of xs bigger than {k}."},
       "return sum(1 for x in xs if x > {k})", "lambda xs: sum(1 for x in xs if x > {k})", 0, 20, one_list(-10, 40, 0)},
      {"last_item", {"last", "last_item", "tail_item"}, "xs",
       {"Return the last element of the non-empty list xs.", "Return the final item of xs.",
        "Give back the element at the end of xs."},
       "return xs[-1]", "lambda xs: xs[-1]", 0, 0, one_list(-50, 50)},
      {"sign", {"sign", "sign_word", "describe_sign"}, "n",
       {"Return 'positive' if n is above zero, 'negative' if below zero, and 'zero' otherwise.",
        "Return the word 'positive', 'negative' or 'zero' depending on the sign of n.",
        "Give back 'positive', 'negative' or 'zero' to describe n."},
       "if n > 0:\n        return 'positive'\n    if n < 0:\n        return 'negative'\n    return 'zero'",
       "lambda n: 'positive' if n > 0 else ('negative' if n < 0 else 'zero')", 0, 0, one_int(-5, 5)},
      {"pass_fail", {"grade", "passed", "result"}, "score",
       {"Return 'pass' if score is at least {k}, otherwise 'fail'.", "Return 'pass' when score reaches {k}, else 'fail'.",
        "Give back 'pass' for a score of {k} or more and 'fail' for less."},
       "return 'pass' if score >= {k} else 'fail'", "lambda score: 'pass' if score >= {k} else 'fail'", 40, 60,
       one_int(0, 100)},
  };
  return all;
}

std::string with_k(const char* text, int64_t k) { return fill(text, {{"k", std::to_string(k)}}); }

// Composed training docstrings: a frame around a phrasing of the result. Value families
// take a noun phrase ("the sum of a and b"), yes/no families a clause ("n is even"), and
// the two families that return words take whole sentences. None of these repeats an
// evaluation wording's opening or its phrase for the result (datagen_test checks both).
const std::vector<const char*>& value_frames() {
  static const std::vector<const char*> v = {
      "Return {c}.", "Compute and return {c}.", "Calculate {c}.", "This function returns {c}.", "Find {c}.",
      "Work out {c} and return it.", "Returns {c}.", "Produce {c}.", "The function should return {c}.",
      "Compute {c}."};
  return v;
}
const std::vector<const char*>& yes_no_frames() {
  static const std::vector<const char*> v = {
      "Return True if {c}, otherwise False.", "Return True when {c} and False when not.", "Check if {c}.",
      "Decide whether {c}.", "Returns whether {c}.", "Test if {c} and return a bool.",
      "Return a boolean saying whether {c}.", "Return whether {c}."};
  return v;
}

struct Phrasings {
  enum Kind { value, yes_no, sentence } kind;
  std::vector<const char*> texts;
};

const Phrasings& phrasings(const std::string& family) {
  using K = Phrasings::Kind;
  static const std::map<std::string, Phrasings> all = {
      {"add", {K::value, {"the sum of a and b", "the total of a and b", "the result of adding a and b", "a + b"}}},
      {"subtract", {K::value, {"a minus b", "the difference a - b", "the result of subtracting b from a", "a - b"}}},
      {"times_k", {K::value, {"the product of n and {k}", "n multiplied by {k}", "n * {k}"}}},
      {"square", {K::value, {"n squared", "the square of the number n", "n * n", "the product of n with itself"}}},
      {"is_even", {K::yes_no, {"n is even", "n is an even number", "n % 2 is 0", "n is a multiple of 2"}}},
      {"divisible_by_k", {K::yes_no, {"n is divisible by {k}", "{k} divides n", "n % {k} is 0", "n is a multiple of {k}"}}},
      {"max_two", {K::value, {"the maximum of a and b", "the bigger of a and b", "max(a, b)", "the larger value among a and b"}}},
      {"min_two", {K::value, {"the minimum of a and b", "the smaller of a and b", "min(a, b)", "the lower value among a and b"}}},
      {"abs_diff", {K::value, {"the distance between a and b", "abs(a - b)", "the absolute value of a - b", "the positive gap between a and b"}}},
      {"reverse", {K::value, {"s backwards", "s reversed", "the reverse of s", "the characters of s in reverse order"}}},
      {"upper", {K::value, {"s in uppercase", "the uppercase version of s", "s.upper()", "s with all letters made uppercase"}}},
      {"count_vowels", {K::value, {"the vowel count of the lowercase string s", "how many of the letters in s are vowels",
                                   "the count of a, e, i, o and u in s"}}},
      {"is_palindrome", {K::yes_no, {"s is a palindrome", "s equals its reverse", "s is the same backwards", "s == s[::-1]"}}},
      {"first_char", {K::value, {"the first letter of s", "s[0]", "the opening character of the string s"}}},
      {"repeat_k", {K::value, {"s repeated {k} times", "s * {k}", "s concatenated {k} times", "the string s, {k} times over"}}},
      {"sum_list", {K::value, {"the sum of the elements of xs", "sum(xs)", "all numbers of xs added up"}}},
      {"max_list", {K::value, {"the maximum of xs", "max(xs)", "the largest element in the non-empty list xs"}}},
      {"count_even", {K::value, {"the count of even numbers in xs", "how many elements of xs are even",
                                 "the number of even values in xs"}}},
      {"keep_even", {K::value, {"the even numbers of xs in order", "a new list holding only the even elements of xs",
                                "xs filtered to its even values"}}},
      {"scale_list", {K::value, {"xs with every element multiplied by {k}", "a new list of each value of xs times {k}",
                                 "[x * {k} for x in xs]"}}},
      {"count_above_k", {K::value, {"the number of values in xs above {k}", "how many elements of xs exceed {k}",
                                    "the count of numbers in xs larger than {k}"}}},
      {"last_item", {K::value, {"the last value of xs", "xs[-1]", "the final element of the non-empty list xs"}}},
      {"sign", {K::sentence, {"Return 'positive' for n > 0, 'negative' for n < 0 and 'zero' for n == 0.",
                              "Classify n as 'positive', 'negative' or 'zero'.",
                              "If n is greater than 0 return 'positive'; if less than 0 return 'negative'; else return 'zero'."}}},
      {"pass_fail", {K::sentence, {"Return 'pass' for scores of {k} and above and 'fail' below {k}.",
                                   "If score >= {k} return 'pass', else return 'fail'.",
                                   "Classify score as 'pass' (at least {k}) or 'fail'."}}},
  };
  const auto it = all.find(family);
  if (it == all.end()) throw Error(fmt::format("no composed phrasings for the code family '{}'", family));
  return it->second;
}

std::string composed_docstring(Picker& p, const std::string& family) {
  const Phrasings& ph = phrasings(family);
  const char* text = p.pick(ph.texts);
  if (ph.kind == Phrasings::sentence) return text;
  const char* frame = p.pick(ph.kind == Phrasings::value ? value_frames() : yes_no_frames());
  return fill(frame, {{"c", text}});
}

}  // namespace

std::vector<CodeTask> code_tasks(uint64_t seed, int64_t count, Split split, CodeWording wording_kind) {
  if (count < 0) throw Error("the number of tasks must not be negative");
  if (split == Split::Dev) throw Error("only math problems have a development split");
  Picker p(seed, split == Split::Train ? 201 : 202);
  std::vector<CodeTask> out;
  for (int64_t i = 0; i < count; ++i) {
    const Family& fam = p.pick(families());
    const int64_t k = p.uniform(fam.k_lo, fam.k_hi);
    const size_t n_train = fam.wordings.size() - 1;
    const char* wording = split == Split::Eval ? fam.wordings.back()
                                               : fam.wordings[static_cast<size_t>(p.uniform(0, static_cast<int64_t>(n_train) - 1))];
    const std::string fn = p.pick(std::vector<std::string>(fam.fn_names.begin(), fam.fn_names.end()));
    std::string doc = with_k(wording, k);
    if (split == Split::Train && wording_kind == CodeWording::Composed && p.uniform(0, 2) > 0) {
      doc = with_k(composed_docstring(p, fam.name).c_str(), k);
    }
    CodeTask t;
    t.id = fmt::format("nano-code-{}-{}", split == Split::Train ? "train" : "eval", i);
    t.family = fam.name;
    t.entry_point = fn;
    t.prompt = fmt::format("def {}({}):\n    \"\"\"{}\"\"\"\n", fn, fam.params, doc);
    t.solution = "    " + with_k(fam.body, k) + "\n";
    t.description = fmt::format("Write a Python function `{}({})`. {}", fn, fam.params, doc);
    std::string cases;
    for (int c = 0; c < 5; ++c) {
      if (c) cases += ", ";
      cases += fam.args(p);
    }
    t.test = fmt::format(
        "def check(candidate):\n    reference = {}\n    for args in [{}]:\n        assert candidate(*args) == reference(*args), args\n",
        with_k(fam.reference, k), cases);
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace loco::datagen
