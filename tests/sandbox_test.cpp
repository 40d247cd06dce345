// The code sandbox: each hostile program is contained, leaves no process or file behind,
// and the machine still works afterwards. Tests named *KernelLayers* switch the Python
// audit hook off to show the kernel layers hold on their own. Nothing here skips: the
// sandbox refuses to run without its required layers (FailsClosed* shows it), so every
// test that runs a program runs it with all of them, and RequiredLayersAreActive
// asserts them by name.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <cstddef>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "loco/error.h"
#include "loco/assistant.h"
#include "loco/sandbox.h"

namespace loco {
namespace {

namespace fs = std::filesystem;

// The sandbox needs a python3 (scripts/setup.sh installs it): its absence is a failure,
// not a skip. MissingPythonIsAClearError checks the error a user without one gets.
class Sandbox : public ::testing::Test {
 protected:
  void SetUp() override {
    try {
      find_python3();
    } catch (const Error& e) {
      FAIL() << e.what();
    }
  }
};

bool has_layer(const SandboxResult& r, const std::string& layer) {
  return std::find(r.layers.begin(), r.layers.end(), layer) != r.layers.end();
}

std::string layers_of(const SandboxResult& r) {
  std::string s;
  for (const auto& l : r.layers) s += l + " ";
  return s;
}

// Processes of process group `pgid` that are alive (zombies waiting for their new parent
// to reap them are dead and hold nothing).
int live_processes_in_group(int pgid) {
  int live = 0;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string name = entry.path().filename();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    std::ifstream in(entry.path() / "stat");
    std::string stat;
    std::getline(in, stat);
    size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 2));
    char state = 0;
    int ppid = 0, pgrp = 0;
    fields >> state >> ppid >> pgrp;
    if (pgrp == pgid && state != 'Z' && state != 'X') ++live;
  }
  return live;
}

std::string unique_name(const std::string& stem) {
  std::random_device rd;
  return stem + "-" + std::to_string(getpid()) + "-" + std::to_string(rd());
}

std::string home_dir() {
  if (const char* home = std::getenv("HOME"); home && *home) return home;
  const passwd* pw = getpwuid(getuid());
  return pw && pw->pw_dir ? pw->pw_dir : "/tmp";
}

// The machine is unharmed: this process can still fork, and a sandbox still runs.
void expect_machine_healthy() {
  pid_t pid = fork();
  ASSERT_GE(pid, 0) << "fork failed after the test";
  if (pid == 0) _exit(0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  SandboxResult r = run_python_sandboxed("print(6 * 7)");
  EXPECT_TRUE(r.passed) << r.stderr_text;
  EXPECT_EQ(r.stdout_text, "42\n");
}

SandboxLimits quick_limits() {
  SandboxLimits limits;
  limits.wall_seconds = 10;
  limits.cpu_seconds = 10;
  return limits;
}

SandboxLimits without_guard() {
  SandboxLimits limits = quick_limits();
  limits.python_guard = false;
  return limits;
}

TEST_F(Sandbox, PassingProgram) {
  SandboxResult r = run_python_sandboxed("import sys\nprint('hello')\nprint('warn', file=sys.stderr)\n");
  EXPECT_TRUE(r.passed) << r.stderr_text;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.killed_by_signal, 0);
  EXPECT_EQ(r.stdout_text, "hello\n");
  EXPECT_EQ(r.stderr_text, "warn\n");
  EXPECT_TRUE(has_layer(r, "rlimits")) << layers_of(r);
  EXPECT_TRUE(has_layer(r, "setsid")) << layers_of(r);
  EXPECT_TRUE(has_layer(r, "python-guard")) << layers_of(r);
  std::cout << "[ layers   ] " << layers_of(r) << "\n";
  EXPECT_EQ(live_processes_in_group(r.process_group), 0);
}

// Where CI runs (as root, Linux 6.x) every layer is active, netns included; as another
// user the required ones are (netns needs unprivileged user namespaces).
TEST_F(Sandbox, RequiredLayersAreActive) {
  SandboxResult r = run_python_sandboxed("print('ok')", without_guard());
  ASSERT_TRUE(r.passed) << r.stderr_text;
  for (const char* layer : {"setsid", "rlimits", "landlock", "seccomp"}) EXPECT_TRUE(has_layer(r, layer)) << layer;
  if (geteuid() == 0) {
    EXPECT_TRUE(has_layer(r, "uid")) << layers_of(r);
    EXPECT_TRUE(has_layer(r, "netns")) << layers_of(r);
  }
  EXPECT_FALSE(has_layer(r, "python-guard"));
  // It really is another, unprivileged user.
  SandboxResult who = run_python_sandboxed("import os\nprint(os.getuid(), os.geteuid(), os.getgid())", without_guard());
  ASSERT_TRUE(who.passed) << who.stderr_text;
  std::istringstream ids(who.stdout_text);
  long uid = -1, euid = -1, gid = -1;
  ids >> uid >> euid >> gid;
  EXPECT_NE(uid, 0);
  EXPECT_NE(euid, 0);
  EXPECT_NE(gid, 0);
  if (geteuid() != 0) {
    EXPECT_EQ(uid, static_cast<long>(getuid()));
  }
}

TEST_F(Sandbox, FailingAssertionAndExitCodes) {
  SandboxResult r = run_python_sandboxed("def add(a, b):\n    return a - b\nassert add(2, 2) == 4, 'add is wrong'\n");
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.stderr_text.find("AssertionError: add is wrong"), std::string::npos) << r.stderr_text;
  SandboxResult e = run_python_sandboxed("import sys\nsys.exit(3)\n");
  EXPECT_FALSE(e.passed);
  EXPECT_EQ(e.exit_code, 3);
  SandboxResult syntax = run_python_sandboxed("def f(:\n");
  EXPECT_FALSE(syntax.passed);
  EXPECT_NE(syntax.stderr_text.find("SyntaxError"), std::string::npos) << syntax.stderr_text;
}

TEST_F(Sandbox, ExtraFilesAreBesideTheProgram) {
  SandboxResult r = run_python_sandboxed("print(open('data.txt').read())", {}, {{"data.txt", "abc"}});
  EXPECT_TRUE(r.passed) << r.stderr_text;
  EXPECT_EQ(r.stdout_text, "abc\n");
  EXPECT_THROW(run_python_sandboxed("pass", {}, {{"../x", ""}}), Error);
  EXPECT_THROW(run_python_sandboxed("pass", {}, {{"main.py", ""}}), Error);
}

TEST_F(Sandbox, InfiniteLoopIsKilledAtTheWallClockLimit) {
  SandboxLimits limits;
  limits.wall_seconds = 1.5;
  limits.cpu_seconds = 120;
  SandboxResult r = run_python_sandboxed("while True:\n    pass\n", limits);
  EXPECT_FALSE(r.passed);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.killed_by_signal, SIGKILL);
  EXPECT_LT(r.seconds, 1.5 + 20) << "the kill came far too late";
  EXPECT_EQ(live_processes_in_group(r.process_group), 0);
  // Sleeping uses no CPU: only the wall clock catches it.
  SandboxResult s = run_python_sandboxed("import time\ntime.sleep(600)\n", limits);
  EXPECT_TRUE(s.timed_out);
  EXPECT_FALSE(s.passed);
}

TEST_F(Sandbox, InfiniteLoopIsKilledAtTheCpuLimit) {
  SandboxLimits limits;
  limits.wall_seconds = 120;
  limits.cpu_seconds = 1;
  SandboxResult r = run_python_sandboxed("while True:\n    pass\n", limits);
  EXPECT_FALSE(r.passed);
  EXPECT_FALSE(r.timed_out);
  EXPECT_TRUE(r.killed_by_signal == SIGXCPU || r.killed_by_signal == SIGKILL) << r.killed_by_signal;
  EXPECT_EQ(live_processes_in_group(r.process_group), 0);
}

const char* kForkBomb = "import os\nwhile True:\n    os.fork()\n";
const char* kSubprocessBomb =
    "import subprocess, sys\n"
    "while True:\n"
    "    subprocess.Popen([sys.executable, '-c', 'while True: pass'])\n";

TEST_F(Sandbox, ForkBombIsContained) {
  for (const char* program : {kForkBomb, kSubprocessBomb}) {
    SandboxLimits limits = quick_limits();
    limits.wall_seconds = 5;
    SandboxResult r = run_python_sandboxed(program, limits);
    EXPECT_FALSE(r.passed) << program;
    EXPECT_NE(r.stderr_text.find("PermissionError"), std::string::npos) << r.stderr_text;
    EXPECT_EQ(live_processes_in_group(r.process_group), 0) << program;
  }
  expect_machine_healthy();
}

TEST_F(Sandbox, ForkBombIsContainedByKernelLayers) {
  for (const char* program : {kForkBomb, kSubprocessBomb}) {
    SandboxLimits limits = without_guard();
    limits.wall_seconds = 5;
    SandboxResult r = run_python_sandboxed(program, limits);
    ASSERT_TRUE(has_layer(r, "seccomp")) << layers_of(r);
    EXPECT_FALSE(r.passed) << program;
    EXPECT_EQ(live_processes_in_group(r.process_group), 0) << program;
    EXPECT_FALSE(r.timed_out);  // the first fork fails at once
    EXPECT_NE(r.stderr_text.find("PermissionError"), std::string::npos) << r.stderr_text;
  }
  expect_machine_healthy();
}

std::string write_attempts(const std::vector<std::string>& paths) {
  std::string p = "import os\nescaped = []\n";
  for (const std::string& path : paths) {
    p += "try:\n"
         "    with open(" + std::string("'") + path + "', 'w') as f:\n"
         "        f.write('escaped')\n"
         "    escaped.append('" + path + "')\n"
         "except OSError as e:\n"
         "    print('refused', type(e).__name__)\n";
  }
  // A symbolic link inside pointing outside is no way out either.
  p += "os.symlink('" + paths[0] + "', 'link')\n"
       "try:\n"
       "    open('link', 'w').write('escaped')\n"
       "    escaped.append('link')\n"
       "except OSError as e:\n"
       "    print('refused', type(e).__name__)\n"
       "# Writing inside the directory works.\n"
       "open('inside.txt', 'w').write('ok')\n"
       "assert open('inside.txt').read() == 'ok'\n"
       "os.mkdir('sub')\n"
       "assert not escaped, escaped\n";
  return p;
}

TEST_F(Sandbox, WritesOutsideTheTemporaryDirectoryFail) {
  const std::string tmp_target = "/tmp/" + unique_name("x-outside");
  const std::string home_target = home_dir() + "/" + unique_name("x-outside");
  SandboxResult r = run_python_sandboxed(write_attempts({tmp_target, home_target}), quick_limits());
  EXPECT_TRUE(r.passed) << r.stdout_text << r.stderr_text;
  EXPECT_FALSE(fs::exists(tmp_target));
  EXPECT_FALSE(fs::exists(home_target));
  EXPECT_NE(r.stdout_text.find("refused PermissionError"), std::string::npos) << r.stdout_text;
  std::error_code ec;
  fs::remove(tmp_target, ec);
  fs::remove(home_target, ec);
}

TEST_F(Sandbox, WritesOutsideFailWithKernelLayersAlone) {
  const std::string tmp_target = "/tmp/" + unique_name("x-outside");
  SandboxResult r = run_python_sandboxed(write_attempts({tmp_target}), without_guard());
  std::error_code ec;
  bool escaped = fs::exists(tmp_target);
  fs::remove(tmp_target, ec);
  // /tmp is writable by every user: only Landlock keeps the program out of it.
  ASSERT_TRUE(has_layer(r, "landlock")) << layers_of(r);
  EXPECT_TRUE(r.passed) << r.stdout_text << r.stderr_text;
  EXPECT_FALSE(escaped);
}

// A listener in this process on 127.0.0.1; the sandbox must not reach it (nor a public
// address). The listener itself is checked to accept a connection from here.
class Listener {
 public:
  Listener() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(fd_, 8);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    fcntl(fd_, F_SETFL, O_NONBLOCK);
  }
  ~Listener() { close(fd_); }
  int port() const { return port_; }
  // Accepts whatever connection is waiting; true if there was one.
  bool accepted() {
    int c = accept(fd_, nullptr, nullptr);
    if (c < 0) return false;
    close(c);
    return true;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

std::string connect_attempts(int port) {
  return "import socket\n"
         "connected = []\n"
         "for host, port in [('127.0.0.1', " + std::to_string(port) + "), ('1.1.1.1', 80), ('8.8.8.8', 53)]:\n"
         "    try:\n"
         "        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
         "        s.settimeout(3)\n"
         "        s.connect((host, port))\n"
         "        connected.append(host)\n"
         "    except OSError as e:\n"
         "        print('refused', host, type(e).__name__)\n"
         "assert not connected, connected\n";
}

void expect_listener_works(Listener& listener) {
  int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(listener.port()));
  EXPECT_EQ(connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  close(c);
  usleep(10000);
  EXPECT_TRUE(listener.accepted());
}

TEST_F(Sandbox, SocketsFail) {
  Listener listener;
  SandboxResult r = run_python_sandboxed(connect_attempts(listener.port()), quick_limits());
  EXPECT_TRUE(r.passed) << r.stdout_text << r.stderr_text;
  EXPECT_NE(r.stdout_text.find("refused 127.0.0.1 PermissionError"), std::string::npos) << r.stdout_text;
  EXPECT_FALSE(listener.accepted());
  expect_listener_works(listener);
}

TEST_F(Sandbox, SocketsFailWithKernelLayersAlone) {
  Listener listener;
  SandboxResult r = run_python_sandboxed(connect_attempts(listener.port()), without_guard());
  bool reached = listener.accepted();
  ASSERT_TRUE(has_layer(r, "seccomp")) << layers_of(r);
  EXPECT_TRUE(r.passed) << r.stdout_text << r.stderr_text;
  EXPECT_FALSE(reached);
  expect_listener_works(listener);
}

TEST_F(Sandbox, SignalsToOtherProcessesFail) {
  // A child of this test stands in for any other process on the machine.
  pid_t victim = fork();
  ASSERT_GE(victim, 0);
  if (victim == 0) {
    pause();
    _exit(0);
  }
  std::string program = "import os, signal\n"
                        "try:\n"
                        "    os.kill(" + std::to_string(victim) + ", signal.SIGKILL)\n"
                        "    print('killed it')\n"
                        "except OSError as e:\n"
                        "    print('refused', type(e).__name__)\n";
  // Without the guard, seccomp or a uid of its own must refuse the signal.
  SandboxResult probe = run_python_sandboxed("pass", without_guard());
  bool kernel_layer = has_layer(probe, "seccomp") || has_layer(probe, "uid");
  for (bool guard : {true, false}) {
    if (!guard && !kernel_layer) continue;
    SandboxLimits limits = quick_limits();
    limits.python_guard = guard;
    SandboxResult r = run_python_sandboxed(program, limits);
    EXPECT_EQ(r.stdout_text.find("killed it"), std::string::npos) << r.stdout_text << " guard=" << guard;
    EXPECT_NE(r.stdout_text.find("refused PermissionError"), std::string::npos) << r.stdout_text;
  }
  int status = 0;
  EXPECT_EQ(waitpid(victim, &status, WNOHANG), 0) << "the other process was killed";
  kill(victim, SIGKILL);
  waitpid(victim, &status, 0);
}

TEST_F(Sandbox, MemoryHogFails) {
  SandboxLimits limits = quick_limits();
  limits.memory_bytes = 512ull << 20;
  SandboxResult r = run_python_sandboxed("block = bytearray(4 * 1024 ** 3)\nprint('allocated')\n", limits);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.stdout_text.find("allocated"), std::string::npos);
  EXPECT_TRUE(r.stderr_text.find("MemoryError") != std::string::npos || r.killed_by_signal != 0)
      << r.stderr_text;
}

TEST_F(Sandbox, HugeOutputIsTruncated) {
  SandboxLimits limits = quick_limits();
  limits.output_bytes = 4096;
  SandboxResult r = run_python_sandboxed(
      "import sys\nsys.stdout.write('BEGIN' + 'x' * 20_000_000 + 'END')\n", limits);
  EXPECT_TRUE(r.passed) << r.stderr_text;
  EXPECT_TRUE(r.output_truncated);
  EXPECT_LT(r.stdout_text.size(), 4096u + 100);
  EXPECT_EQ(r.stdout_text.substr(0, 5), "BEGIN");
  EXPECT_EQ(r.stdout_text.substr(r.stdout_text.size() - 3), "END");
  EXPECT_NE(r.stdout_text.find("bytes omitted"), std::string::npos);
}

TEST_F(Sandbox, LargeFilesFail) {
  SandboxLimits limits = quick_limits();
  limits.file_bytes = 1 << 20;
  SandboxResult r = run_python_sandboxed("open('big', 'wb').write(b'x' * (8 << 20))\n", limits);
  EXPECT_FALSE(r.passed);
  EXPECT_TRUE(r.stderr_text.find("File too large") != std::string::npos || r.killed_by_signal == SIGXFSZ)
      << r.stderr_text;
}

// Many files, each under the file-size limit, would still fill the disk: the program is
// killed once the directory holds more than disk_bytes (checked every 20 ms), long
// before the wall-clock limit. Many empty files likewise.
TEST_F(Sandbox, FillingTheDiskIsStopped) {
  SandboxLimits limits = without_guard();
  limits.wall_seconds = 30;
  limits.cpu_seconds = 30;
  limits.file_bytes = 1 << 20;
  limits.disk_bytes = 8 << 20;
  SandboxResult r = run_python_sandboxed(
      "i = 0\nwhile True:\n    open('f%d' % i, 'wb').write(b'x' * (1 << 20))\n    i += 1\n", limits);
  EXPECT_FALSE(r.passed);
  EXPECT_TRUE(r.disk_exceeded);
  EXPECT_FALSE(r.timed_out);
  EXPECT_LT(r.seconds, 20.0);
  EXPECT_EQ(live_processes_in_group(r.process_group), 0);

  limits.max_files = 200;
  SandboxResult many = run_python_sandboxed("i = 0\nwhile True:\n    open('e%d' % i, 'wb').close()\n    i += 1\n", limits);
  EXPECT_FALSE(many.passed);
  EXPECT_TRUE(many.disk_exceeded);
  EXPECT_FALSE(many.timed_out);
}

TEST_F(Sandbox, TemporaryDirectoryIsRemoved) {
  // Even one the program made hard to remove.
  SandboxResult r = run_python_sandboxed(
      "import os\nprint(os.getcwd())\nos.makedirs('a/b')\nopen('a/b/f', 'w').write('x')\n"
      "os.chmod('a/b', 0)\nos.chmod('a', 0)\n");
  ASSERT_TRUE(r.passed) << r.stderr_text;
  std::string dir = r.stdout_text.substr(0, r.stdout_text.find('\n'));
  EXPECT_NE(dir.find("loco-sandbox-"), std::string::npos) << dir;
  EXPECT_FALSE(fs::exists(dir)) << dir;
}

TEST_F(Sandbox, EnvironmentIsClearedAndStdinClosed) {
  setenv("LOCO_SANDBOX_TEST_SECRET", "hunter2", 1);
  SandboxResult r = run_python_sandboxed(
      "import os, sys\nprint(sorted(k for k in os.environ if k != 'LC_CTYPE'))\nprint(sys.stdin.read() == '')\n");
  unsetenv("LOCO_SANDBOX_TEST_SECRET");
  EXPECT_TRUE(r.passed) << r.stderr_text;
  EXPECT_EQ(r.stdout_text, "['HOME', 'LANG', 'PATH', 'TMPDIR']\nTrue\n");
  SandboxResult in = run_python_sandboxed("input()\n");
  EXPECT_FALSE(in.passed);
  EXPECT_NE(in.stderr_text.find("EOFError"), std::string::npos) << in.stderr_text;
}

// Reads are confined too: a world-readable file outside the temporary directory (only
// Landlock stands between it and the program), a listing of /tmp, the user's home. The
// standard library still loads.
TEST_F(Sandbox, ReadsOutsideFailWithKernelLayersAlone) {
  const fs::path dir = fs::temp_directory_path() / unique_name("x-readable");
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                           fs::perms::others_read | fs::perms::others_exec);
  const fs::path secret = dir / "secret.txt";
  std::ofstream(secret) << "s3cret";
  fs::permissions(secret, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                              fs::perms::others_read);
  const std::string home_secret = home_dir() + "/" + unique_name("x-readable");
  std::ofstream(home_secret) << "s3cret";
  std::string program = "import os, json, decimal\nleaked = []\n";
  for (const std::string& path : {secret.string(), home_secret}) {
    program += "try:\n    leaked.append(open('" + path + "').read())\nexcept OSError as e:\n    print('refused', type(e).__name__)\n";
  }
  for (const std::string& d : {dir.string(), std::string("/tmp"), home_dir()}) {
    program += "try:\n    leaked.append(os.listdir('" + d + "'))\nexcept OSError as e:\n    print('refused', type(e).__name__)\n";
  }
  program += "assert not leaked, leaked\nprint(json.dumps({'ok': str(decimal.Decimal(1) / 4)}))\n";
  SandboxResult r = run_python_sandboxed(program, without_guard());
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::remove(home_secret, ec);
  ASSERT_TRUE(has_layer(r, "landlock")) << layers_of(r);
  EXPECT_TRUE(r.passed) << r.stdout_text << r.stderr_text;
  EXPECT_EQ(r.stdout_text.find("s3cret"), std::string::npos);
  EXPECT_NE(r.stdout_text.find("refused PermissionError"), std::string::npos) << r.stdout_text;
  EXPECT_NE(r.stdout_text.find("{\"ok\": \"0.25\"}"), std::string::npos) << r.stdout_text;
}

// ---- Fail closed: a machine without a required layer runs no code ----

// Runs run_python_sandboxed in a child process whose system calls `denied` fail as a
// kernel without the feature would make them fail (a seccomp filter the sandbox's own
// child inherits). Returns what the sandbox said: "refused: <message>", "ran", or
// "error: <message>" for any other error.
struct DeniedCall {
  long nr;
  int error;
  long arg0 = -1;  // when >= 0, only calls whose first argument is this
};

std::string run_hello() {
  try {
    SandboxResult r = run_python_sandboxed("print('ran')");
    return "ran: " + r.stdout_text;
  } catch (const SandboxUnavailable& e) {
    return std::string("refused: ") + e.what();
  } catch (const std::exception& e) {
    return std::string("error: ") + e.what();
  }
}

std::string sandbox_outcome_without(const std::vector<DeniedCall>& denied,
                                    const std::function<std::string()>& body = run_hello) {
  int fds[2];
  if (pipe(fds) != 0) return "pipe failed";
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    std::vector<sock_filter> f;
    f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
    for (const DeniedCall& d : denied) {
      const uint32_t action = SECCOMP_RET_ERRNO | static_cast<uint32_t>(d.error);
      if (d.arg0 < 0) {
        f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(d.nr), 0, 1));
        f.push_back(BPF_STMT(BPF_RET | BPF_K, action));
      } else {
        f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(d.nr), 0, 4));
        f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args)));
        f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(d.arg0), 0, 1));
        f.push_back(BPF_STMT(BPF_RET | BPF_K, action));
        f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
      }
    }
    f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    sock_fprog program{static_cast<unsigned short>(f.size()), f.data()};
    std::string outcome;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
      outcome = "error: cannot install the test's filter";
    } else {
      outcome = body();
    }
    ssize_t written = write(fds[1], outcome.data(), outcome.size());
    _exit(written == static_cast<ssize_t>(outcome.size()) ? 0 : 1);
  }
  close(fds[1]);
  std::string outcome;
  char buffer[512];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;) outcome.append(buffer, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return outcome;
}

TEST_F(Sandbox, FailsClosedWithoutLandlock) {
  // The answer of a kernel built without Landlock, or with it left out of lsm=.
  const std::string outcome = sandbox_outcome_without({{SYS_landlock_create_ruleset, ENOSYS}});
  EXPECT_EQ(outcome.rfind("refused: ", 0), 0u) << outcome;
  EXPECT_NE(outcome.find("lacks landlock"), std::string::npos) << outcome;
  EXPECT_EQ(outcome.find("seccomp"), std::string::npos) << outcome;

  // An answer with code says it was not run, and why, rather than failing the question.
  const std::string answer = sandbox_outcome_without({{SYS_landlock_create_ruleset, ENOSYS}}, [] {
    const CodeAnswerCheck c = check_code_answer("Write a function `f`.", "```python\ndef f():\n    return 1\n```", "",
                                                QueryOptions{});
    return std::string(code_check_name(c.check)) + " | " + c.detail;
  });
  EXPECT_EQ(answer.rfind("not run, the sandbox is incomplete here | ", 0), 0u) << answer;
  EXPECT_NE(answer.find("lacks landlock"), std::string::npos) << answer;
}

TEST_F(Sandbox, FailsClosedWithoutSeccomp) {
  const std::string outcome =
      sandbox_outcome_without({{SYS_seccomp, ENOSYS}, {SYS_prctl, EINVAL, PR_SET_SECCOMP}});
  EXPECT_EQ(outcome.rfind("refused: ", 0), 0u) << outcome;
  EXPECT_NE(outcome.find("lacks seccomp"), std::string::npos) << outcome;
}

TEST_F(Sandbox, FailsClosedWhenRootCannotSwitchUid) {
  if (geteuid() != 0) GTEST_SKIP() << "only root switches uid (CI runs as root)";
  const std::string outcome = sandbox_outcome_without({{SYS_setresuid, EPERM}, {SYS_setresgid, EPERM}});
  EXPECT_EQ(outcome.rfind("refused: ", 0), 0u) << outcome;
  EXPECT_NE(outcome.find("uid"), std::string::npos) << outcome;
  EXPECT_EQ(outcome.find("ran"), std::string::npos) << outcome;
}

TEST(SandboxPython, MissingPythonIsAClearError) {
  const char* before = std::getenv("LOCO_PYTHON");
  const std::string saved = before ? before : "";
  setenv("LOCO_PYTHON", "/nonexistent/python3", 1);
  try {
    run_python_sandboxed("print(1)");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/python3"), std::string::npos) << e.what();
  }
  if (before) setenv("LOCO_PYTHON", saved.c_str(), 1);
  else unsetenv("LOCO_PYTHON");
}

}  // namespace
}  // namespace loco
