// SHA-256 against the FIPS 180-4 / NIST example vectors, fed whole, in odd pieces and from
// files; padding-boundary lengths against the system's sha256sum as a second reference.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "loco/error.h"
#include "loco/sha256.h"
#include "test_paths.h"

namespace loco {
namespace {

// NIST "SHA-256 examples" (csrc.nist.gov, SHA_All.pdf / FIPS 180-2 appendix B).
constexpr const char* kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr const char* k448Message = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
constexpr const char* k448 = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
constexpr const char* k896Message =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
constexpr const char* k896 = "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1";
constexpr const char* kMillionA = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
constexpr const char* kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(Sha256, NistVectors) {
  EXPECT_EQ(sha256_hex("abc"), kAbc);
  EXPECT_EQ(sha256_hex(k448Message), k448);
  EXPECT_EQ(sha256_hex(k896Message), k896);
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')), kMillionA);
  EXPECT_EQ(sha256_hex(""), kEmpty);
}

TEST(Sha256, PiecesOfAnySizeGiveTheSameDigest) {
  const std::string million(1000000, 'a');
  for (size_t piece : {size_t{1}, size_t{3}, size_t{55}, size_t{63}, size_t{64}, size_t{65},
                       size_t{1000}, size_t{4097}}) {
    Sha256 hash;
    for (size_t pos = 0; pos < million.size(); pos += piece) {
      hash.update(million.data() + pos, std::min(piece, million.size() - pos));
    }
    EXPECT_EQ(to_hex(hash.finish()), kMillionA) << "piece " << piece;
  }
  // Uneven pieces that straddle block boundaries differently each time.
  Sha256 hash;
  size_t pos = 0;
  for (size_t piece = 1; pos < std::string_view(k896Message).size(); ++piece) {
    const size_t n = std::min(piece, std::string_view(k896Message).size() - pos);
    hash.update(k896Message + pos, n);
    pos += n;
  }
  EXPECT_EQ(to_hex(hash.finish()), k896);
}

TEST(Sha256, FileOfAMillionBytes) {
  const std::string path = test::temp_dir() + "/million";
  std::ofstream(path, std::ios::binary) << std::string(1000000, 'a');
  EXPECT_EQ(sha256_file(path), kMillionA);
  const std::string empty = test::temp_dir() + "/empty";
  std::ofstream(empty, std::ios::binary).flush();
  EXPECT_EQ(sha256_file(empty), kEmpty);
}

TEST(Sha256, MissingFileAndDirectoryAreErrors) {
  EXPECT_THROW(sha256_file("/nonexistent/file.bin"), Error);
  EXPECT_THROW(sha256_file(test::temp_dir()), Error);
}

// Second reference for the lengths where padding spills into an extra block (55, 56, 63,
// 64 bytes ...): coreutils' sha256sum, when the system has it.
TEST(Sha256, PaddingBoundariesMatchSha256sum) {
  if (std::system("command -v sha256sum >/dev/null 2>&1") != 0) GTEST_SKIP() << "no sha256sum";
  const std::string dir = test::temp_dir();
  for (size_t n : {size_t{54}, size_t{55}, size_t{56}, size_t{57}, size_t{63}, size_t{64},
                   size_t{65}, size_t{119}, size_t{120}, size_t{128}}) {
    std::string data;
    for (size_t i = 0; i < n; ++i) data.push_back(static_cast<char>((i * 7 + 3) & 0xff));
    const std::string path = dir + "/len" + std::to_string(n);
    std::ofstream(path, std::ios::binary) << data;
    FILE* pipe = popen(("sha256sum '" + path + "'").c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    char line[128] = {};
    ASSERT_NE(std::fgets(line, sizeof line, pipe), nullptr);
    pclose(pipe);
    EXPECT_EQ(sha256_hex(data), std::string(line, 64)) << "length " << n;
  }
}

TEST(Sha256, HexCheck) {
  EXPECT_TRUE(is_sha256_hex(kAbc));
  EXPECT_TRUE(is_sha256_hex("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
  EXPECT_FALSE(is_sha256_hex("abc"));
  EXPECT_FALSE(is_sha256_hex(std::string(63, 'a') + "g"));
}

}  // namespace
}  // namespace loco
