// `loco chat` driven through a pseudo-terminal, as a person at a keyboard would: line
// editing is on (libedit), slash commands answer, a question gets an answer with its
// footer, and /save, /load, /quit work.
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "loco/nudges.h"
#include "test_paths.h"

namespace loco {
namespace {

class PtySession {
 public:
  explicit PtySession(const std::vector<std::string>& args, const std::vector<std::string>& env) {
    pid_ = forkpty(&fd_, nullptr, nullptr, nullptr);
    if (pid_ == 0) {
      for (const std::string& e : env) putenv(const_cast<char*>(e.c_str()));
      std::vector<char*> argv;
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
  }
  ~PtySession() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return pid_ > 0; }

  // Reads until `needle` appears in the output (after `from`) or the time runs out.
  bool expect(const std::string& needle, double seconds = 60) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (output_.find(needle, mark_) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      char buf[4096];
      const ssize_t n = read(fd_, buf, sizeof buf);
      if (n <= 0) return output_.find(needle, mark_) != std::string::npos;
      output_.append(buf, static_cast<size_t>(n));
    }
    mark_ = output_.find(needle, mark_) + needle.size();
    return true;
  }
  void send(const std::string& line) {
    const std::string s = line + "\r";
    ASSERT_EQ(write(fd_, s.data(), s.size()), static_cast<ssize_t>(s.size()));
  }
  // Waits for the program to exit, reading its output meanwhile (so it never blocks on a
  // full terminal). Returns the exit status, or -1 when it is still running after
  // `seconds` (the destructor then kills it), so a hang fails the test instead of CI.
  int wait_exit(double seconds = 60) {
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
      int status = 0;
      const pid_t done = waitpid(pid_, &status, WNOHANG);
      if (done == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      const auto now = std::chrono::steady_clock::now();
      if (now - start > std::chrono::duration<double>(seconds)) {
        output_ += "\n[test: still running after " + std::to_string(seconds) + " s; killed]";
        return -1;  // the destructor kills it
      }
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) > 0) {
        char buf[4096];
        const ssize_t n = read(fd_, buf, sizeof buf);
        if (n > 0) output_.append(buf, static_cast<size_t>(n));
      }
    }
  }
  // Waits until the line editor has taken the terminal out of canonical mode. libedit
  // prints the prompt before switching modes; a Ctrl-D typed in between is consumed by
  // the kernel's canonical line discipline and reaches libedit as a NUL byte, not as the
  // end of input. A person cannot type that fast; a test can.
  bool wait_for_line_editor(double seconds = 60) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      termios t{};
      if (tcgetattr(fd_, &t) == 0 && (t.c_lflag & ICANON) == 0) return true;
      usleep(2000);
    }
    return false;
  }
  const std::string& output() const { return output_; }
  int fd() const { return fd_; }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  bool exited_ = false;
  std::string output_;
  size_t mark_ = 0;
};

TEST(ChatPty, ConversationThroughATerminal) {
  const std::string dir = test::temp_dir();
  const std::string saved = dir + "/conversation.json";
  PtySession chat({test::cli_path(), "chat", "-m", test::model_path("tiny-qwen3-q8_0.gguf"), "-n", "8", "--seed", "1",
                   "-t", "1"},
                  {"LOCO_DATA_DIR=" + dir + "/data", "LOCO_CONFIG_DIR=" + dir + "/config", "TERM=dumb"});
  ASSERT_TRUE(chat.ok());
  ASSERT_TRUE(chat.expect("/help for commands")) << chat.output();
  ASSERT_TRUE(chat.expect("> ")) << chat.output();

  chat.send("/help");
  ASSERT_TRUE(chat.expect("/votes N")) << chat.output();
  chat.send("/stats");
  ASSERT_TRUE(chat.expect("no turns yet")) << chat.output();
  chat.send("Hello there");
  ASSERT_TRUE(chat.expect("-- answered by the base model")) << chat.output();
  ASSERT_TRUE(chat.expect("-- confidence:")) << chat.output();
  // The base model's answers are free text: the first default suggestion.
  ASSERT_TRUE(chat.expect("-- try: " + default_nudges(EvalType::None)[0])) << chat.output();
  chat.send("/stats");
  ASSERT_TRUE(chat.expect("last turn: prompt ")) << chat.output();
  ASSERT_TRUE(chat.expect("answer 8 tokens")) << chat.output();  // -n 8, and random weights never stop early
  ASSERT_TRUE(chat.expect("session: 1 turn(s)")) << chat.output();
  chat.send("/nudges off");
  ASSERT_TRUE(chat.expect("nudges: off")) << chat.output();
  chat.send("/votes 3");
  ASSERT_TRUE(chat.expect("votes: 3")) << chat.output();
  chat.send("/reread off");
  ASSERT_TRUE(chat.expect("reread: off")) << chat.output();
  chat.send("Tell me more");
  ASSERT_TRUE(chat.expect("-- votes:")) << chat.output();
  chat.send("/adapter physics");
  ASSERT_TRUE(chat.expect("no adapter or domain named 'physics'")) << chat.output();
  chat.send("/save " + saved);
  ASSERT_TRUE(chat.expect("saved 4 messages")) << chat.output();
  const std::string bad = dir + "/bad.json";
  std::ofstream(bad) << "{not json";
  chat.send("/load " + bad);
  ASSERT_TRUE(chat.expect("error: ")) << chat.output();
  chat.send("/clear");
  ASSERT_TRUE(chat.expect("conversation cleared")) << chat.output();
  chat.send("/load " + saved);
  ASSERT_TRUE(chat.expect("loaded 4 messages")) << chat.output();
  chat.send("/quit");
  EXPECT_EQ(chat.wait_exit(), 0) << chat.output();
  // One suggestion: after the first answer only, before /nudges off.
  const std::string out = chat.output();
  const size_t first_try = out.find("-- try: ");
  ASSERT_NE(first_try, std::string::npos);
  EXPECT_EQ(out.find("-- try: ", first_try + 1), std::string::npos) << out;

  std::ifstream in(saved);
  nlohmann::json j = nlohmann::json::parse(in);
  ASSERT_EQ(j["messages"].size(), 4u);
  EXPECT_EQ(j["messages"][0]["content"], "Hello there");
  EXPECT_EQ(j["messages"][2]["content"], "Tell me more");
  EXPECT_EQ(j["votes"], 3);
  EXPECT_EQ(j["reread"], false);
}

// A conversation far longer than its 256-token context keeps going: every turn is
// answered, the oldest turns are left out (and the answer says so), none fails. The
// context file counts too (the budget once ignored it and failed every turn near the end).
TEST(ChatPty, LongConversationNeverFailsForLength) {
  const std::string dir = test::temp_dir();
  const std::string context = dir + "/rubric.md";
  std::ofstream(context) << "Rubric: name the fruit, count them, say where they are, and check the count twice "
                            "before answering. Mention the basket, the table and the kitchen when relevant.\n";
  PtySession chat({test::cli_path(), "chat", "-m", test::model_path("tiny-qwen3-q8_0.gguf"), "-n", "24", "--seed", "1",
                   "-t", "1", "--ctx", "256", "--system", "Answer briefly.", "--context", context, "--no-nudges"},
                  {"LOCO_DATA_DIR=" + dir + "/data", "LOCO_CONFIG_DIR=" + dir + "/config", "TERM=dumb"});
  ASSERT_TRUE(chat.ok());
  ASSERT_TRUE(chat.expect("> ")) << chat.output();
  for (int turn = 0; turn < 14; ++turn) {
    chat.send("Turn " + std::to_string(turn) + ": tell me one more thing about the apples in the basket, please.");
    ASSERT_TRUE(chat.expect("-- confidence:")) << "turn " << turn << "\n" << chat.output();
  }
  ASSERT_TRUE(chat.expect("> ")) << chat.output();
  chat.send("/quit");
  EXPECT_EQ(chat.wait_exit(), 0) << chat.output();
  EXPECT_EQ(chat.output().find("error:"), std::string::npos) << chat.output();
  EXPECT_NE(chat.output().find("-- fitted: the "), std::string::npos) << chat.output();
  EXPECT_NE(chat.output().find("oldest turn(s) of the conversation were left out"), std::string::npos);
  EXPECT_EQ(chat.output().find("-- try:"), std::string::npos);  // --no-nudges
}

// /context add, list and drop: documents go with every question until dropped, and each
// answer says what it used of them.
TEST(ChatPty, ContextCommands) {
  const std::string dir = test::temp_dir() + "/chat-context";
  std::filesystem::create_directories(dir + "/pack");
  std::ofstream(dir + "/pack/notes.md") << "# Apples\nThe basket holds apples.\n\n# Pears\nPears are green.\n";
  std::ofstream(dir + "/pack/rubric.md") << "---\nkind: rubric\n---\n## Count\n- right: the count is correct\n";
  PtySession chat({test::cli_path(), "chat", "-m", test::model_path("tiny-qwen3-q8_0.gguf"), "-n", "4", "-t", "1",
                   "--no-nudges"},
                  {"LOCO_DATA_DIR=" + dir + "/data", "LOCO_CONFIG_DIR=" + dir + "/config", "TERM=dumb"});
  ASSERT_TRUE(chat.expect("> ")) << chat.output();
  chat.send("/context list");
  ASSERT_TRUE(chat.expect("no context documents")) << chat.output();
  chat.send("/context add " + dir + "/pack");
  ASSERT_TRUE(chat.expect("context: added 2 document(s)")) << chat.output();
  chat.send("/context list");
  ASSERT_TRUE(chat.expect("1. " + dir + "/pack/notes.md (excerpt, 2 section(s))")) << chat.output();
  ASSERT_TRUE(chat.expect("2. " + dir + "/pack/rubric.md (rubric, mandatory, 1 section(s))")) << chat.output();
  chat.send("How many apples are in the basket?");
  ASSERT_TRUE(chat.expect("-- context: 3 of 3 sections")) << chat.output();
  chat.send("/context list");
  ASSERT_TRUE(chat.expect("last answer used 2")) << chat.output();
  ASSERT_TRUE(chat.expect("last answer: 3 of 3 sections")) << chat.output();
  chat.send("/context drop 7");
  ASSERT_TRUE(chat.expect("usage: /context drop N (1 to 2")) << chat.output();
  chat.send("/context drop 1");
  ASSERT_TRUE(chat.expect("context: dropped 1. " + dir + "/pack/notes.md")) << chat.output();
  chat.send("/context add " + dir + "/missing.md");
  ASSERT_TRUE(chat.expect("error: " + dir + "/missing.md: no such file or directory")) << chat.output();
  chat.send("And pears?");
  ASSERT_TRUE(chat.expect("-- context: 1 of 1 sections")) << chat.output();
  chat.send("/quit");
  EXPECT_EQ(chat.wait_exit(), 0) << chat.output();
}

TEST(ChatPty, EndOfInputLeavesCleanly) {
  const std::string dir = test::temp_dir();
  PtySession chat({test::cli_path(), "chat", "-m", test::model_path("tiny-qwen3-q8_0.gguf"), "-t", "1"},
                  {"LOCO_DATA_DIR=" + dir + "/data", "LOCO_CONFIG_DIR=" + dir + "/config", "TERM=dumb"});
  ASSERT_TRUE(chat.expect("> ")) << chat.output();
  ASSERT_TRUE(chat.wait_for_line_editor()) << chat.output();
  const char ctrl_d = 4;
  ASSERT_EQ(write(chat.fd(), &ctrl_d, 1), 1);
  EXPECT_EQ(chat.wait_exit(), 0) << chat.output();
}

}  // namespace
}  // namespace loco
