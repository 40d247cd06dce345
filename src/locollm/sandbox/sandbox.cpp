// The parent side of the code sandbox: temporary directory, interpreter, fork, watching
// the clock and the output, killing and cleaning up. The child side is sandbox_child.cpp.
#include "loco/sandbox.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "locollm/sandbox/sandbox_child.h"
#include "locollm/sandbox/sandbox_guard.h"
#include "loco/error.h"

namespace loco {
namespace {

namespace fs = std::filesystem;
using namespace sandbox_detail;

std::string errno_text(int error) { return std::strerror(error); }

bool is_elf_executable(const std::string& path) {
  if (access(path.c_str(), X_OK) != 0) return false;
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && std::memcmp(magic, "\x7f" "ELF", 4) == 0;
}

// Every directory on the way to `path` can be searched, and `path` itself has `mode_bit`,
// for a user that is neither the owner nor in the group.
bool reachable_by_others(const fs::path& path, mode_t mode_bit) {
  std::error_code ec;
  fs::path real = fs::canonical(path, ec);
  if (ec) return false;
  struct stat st {};
  if (stat(real.c_str(), &st) != 0 || !(st.st_mode & mode_bit)) return false;
  for (fs::path dir = real.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    if (stat(dir.c_str(), &st) != 0 || !(st.st_mode & S_IXOTH)) return false;
    if (dir == dir.root_path()) break;
  }
  return true;
}

// A uid no account uses, of this process and call alone: what it runs can then be told
// apart from everything else on the machine (RLIMIT_NPROC counts per uid, and cleanup
// kills every process of the uid). 1.9e9 .. 1.964e9 lies far above the ids given to
// accounts and, in practice, to containers' subordinate id ranges.
uid_t fresh_sandbox_uid() {
  static std::atomic<uint32_t> counter{0};
  uint32_t pid_part = static_cast<uint32_t>(getpid()) % 1000000u;
  return static_cast<uid_t>(1900000000u + pid_part * 64u + (counter++ % 64u));
}
constexpr uid_t kNobody = 65534;

// Keeps the first and last `cap / 2` bytes of a stream.
class CappedOutput {
 public:
  explicit CappedOutput(size_t cap) : half_(cap / 2 > 0 ? cap / 2 : 1) {}
  void append(const char* data, size_t n) {
    total_ += n;
    size_t to_head = std::min(n, half_ - std::min(half_, head_.size()));
    head_.append(data, to_head);
    tail_.append(data + to_head, n - to_head);
    if (tail_.size() > 2 * half_) tail_.erase(0, tail_.size() - half_);
  }
  bool truncated() const { return total_ > head_.size() + std::min(tail_.size(), half_); }
  std::string text() const {
    if (!truncated()) return head_ + tail_;
    std::string tail = tail_.size() > half_ ? tail_.substr(tail_.size() - half_) : tail_;
    uint64_t omitted = total_ - head_.size() - tail.size();
    return head_ + "\n[... " + std::to_string(omitted) + " bytes omitted ...]\n" + tail;
  }

 private:
  size_t half_;
  std::string head_, tail_;
  uint64_t total_ = 0;
};

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

void make_pipe(Fd& read_end, Fd& write_end) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw Error("sandbox: pipe failed: " + errno_text(errno));
  read_end.reset(fds[0]);
  write_end.reset(fds[1]);
}

// Removes the directory tree even if the program took away its own permissions.
void remove_tree(const fs::path& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (!ec && !fs::exists(dir, ec)) return;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) chmod(it->path().c_str(), 0700);
  }
  chmod(dir.c_str(), 0700);
  fs::remove_all(dir, ec);
}

// The temporary directory the program runs in; removed by the destructor.
class WorkDir {
 public:
  explicit WorkDir(bool for_other_uid) {
    const char* env = std::getenv("TMPDIR");
    fs::path base = env && *env ? env : "/tmp";
    if (for_other_uid && !reachable_by_others(base, S_IXOTH)) base = "/tmp";
    std::string pattern = (base / "loco-sandbox-XXXXXX").string();
    if (!mkdtemp(pattern.data()))
      throw Error("sandbox: cannot create a temporary directory in " + base.string() + ": " +
                  errno_text(errno));
    path_ = pattern;
  }
  ~WorkDir() { remove_tree(path_); }
  const fs::path& path() const { return path_; }
  void write(const std::string& name, const std::string& content) {
    std::ofstream out(path_ / name, std::ios::binary);
    out << content;
    if (!out) throw Error("sandbox: cannot write " + (path_ / name).string());
  }
  // Hands the directory and its files to the sandbox uid; false when that uid cannot be
  // used here (for instance outside the id range of a user-namespaced container).
  bool give_to(uid_t uid, gid_t gid) {
    if (chown(path_.c_str(), uid, gid) != 0) return false;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(path_, ec))
      if (lchown(entry.path().c_str(), uid, gid) != 0) return false;
    return !ec;
  }

 private:
  fs::path path_;
};

// Whether a process that is not a zombie is left in process group `pgid`, or (when
// `uid` is given) runs under `uid`. Reads /proc/<pid>/stat and /proc/<pid>/status.
bool any_live_process(pid_t pgid, std::optional<uid_t> uid) {
  DIR* proc = opendir("/proc");
  if (!proc) return false;
  bool found = false;
  while (const dirent* entry = readdir(proc)) {
    const char* name = entry->d_name;
    if (*name < '1' || *name > '9') continue;
    std::ifstream stat_file(std::string("/proc/") + name + "/stat");
    std::string stat;
    std::getline(stat_file, stat);
    size_t close = stat.rfind(')');
    if (close == std::string::npos || close + 2 >= stat.size()) continue;
    std::istringstream fields(stat.substr(close + 2));
    char state = 0;
    long ppid = 0, pgrp = 0;
    fields >> state >> ppid >> pgrp;
    if (state == 'Z' || state == 'X') continue;
    if (pgrp == pgid) found = true;
    if (!found && uid) {
      std::ifstream status_file(std::string("/proc/") + name + "/status");
      for (std::string line; std::getline(status_file, line);) {
        if (line.rfind("Uid:", 0) == 0) {
          std::istringstream ids(line.substr(4));
          long real = -1;
          ids >> real;
          found = real == static_cast<long>(*uid);
          break;
        }
      }
    }
    if (found) break;
  }
  closedir(proc);
  return found;
}

// Sends SIGKILL to every process of `uid` from a short-lived helper running as that uid
// (kill(-1) reaches exactly the processes the sender's uid may signal).
void kill_all_of_uid(uid_t uid, gid_t gid) {
  pid_t helper = fork();
  if (helper == 0) {
    if (setgroups(0, nullptr) == 0 && setresgid(gid, gid, gid) == 0 && setresuid(uid, uid, uid) == 0)
      kill(-1, SIGKILL);
    _exit(0);
  }
  if (helper > 0) {
    int status = 0;
    while (waitpid(helper, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

// Kills whatever the program started: its process group and, with a uid of its own,
// every process of that uid. SIGKILL is delivered at once but a process takes a moment
// to die, so this repeats until /proc shows none alive (bounded, 2 s).
void kill_leftovers(pid_t pgid, std::optional<uid_t> uid, gid_t gid) {
  for (int round = 0; round < 1000; ++round) {
    killpg(pgid, SIGKILL);
    if (uid) kill_all_of_uid(*uid, gid);
    if (!any_live_process(pgid, uid)) return;
    usleep(2000);
  }
}

bool child_has_exited(pid_t pid) {
  siginfo_t info{};
  return waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid;
}

int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  return -1;
#endif
}

// Reads what is available; returns false at end of stream.
bool read_some(int fd, CappedOutput& out) {
  char buffer[16384];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n > 0) {
      out.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
}

// Bytes the directory's files occupy on disk, and whether it holds more than max_entries
// entries (counting stops there, so a directory of a million empty files costs little).
struct DiskUse {
  uint64_t bytes = 0;
  bool too_many_entries = false;
};
DiskUse disk_use(const fs::path& dir, int max_entries) {
  DiskUse use;
  std::error_code ec;
  int entries = 0;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (++entries > max_entries) {
      use.too_many_entries = true;
      break;
    }
    struct stat st {};
    if (lstat(it->path().c_str(), &st) == 0) use.bytes += static_cast<uint64_t>(st.st_blocks) * 512u;
  }
  return use;
}

std::vector<std::string> layer_names(uint32_t layers, bool guard) {
  std::vector<std::string> names;
  if (layers & kLayerSetsid) names.push_back("setsid");
  if (layers & kLayerNetns) names.push_back("netns");
  if (layers & kLayerRlimits) names.push_back("rlimits");
  if (layers & kLayerUid) names.push_back("uid");
  if (layers & kLayerLandlock) names.push_back("landlock");
  if (layers & kLayerSeccomp) names.push_back("seccomp");
  if (guard) names.push_back("python-guard");
  return names;
}

rlimit limit_pair(uint64_t soft, uint64_t hard) {
  return rlimit{static_cast<rlim_t>(soft), static_cast<rlim_t>(hard)};
}

// What each required layer needs, for the refusal message.
std::string missing_layers_text(uint32_t missing) {
  std::string text;
  auto add = [&](uint32_t layer, const char* what) {
    if (!(missing & layer)) return;
    if (!text.empty()) text += "; ";
    text += what;
  };
  add(kLayerSetsid, "setsid (a session of its own)");
  add(kLayerRlimits, "rlimits (resource limits)");
  add(kLayerUid, "uid (running as root, it must switch to an unprivileged uid)");
  add(kLayerLandlock, "landlock (file confinement: Linux 5.13+ with Landlock enabled, e.g. lsm=landlock,...)");
  add(kLayerSeccomp, "seccomp (system-call filter: a kernel with seccomp filters)");
  return text;
}

// The directories python3 may read and execute beneath: its installation (the real
// file's and the given path's prefix, e.g. /usr for /usr/bin/python3) and the system's
// programs, libraries and configuration. The user's home, /tmp, /proc, /sys and /root
// stay unreadable.
std::vector<std::string> readable_paths(const std::string& python) {
  std::vector<std::string> paths = {"/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc",
                                    "/dev/urandom", "/dev/random", "/dev/zero"};
  std::error_code ec;
  for (const fs::path& exe : {fs::canonical(python, ec), fs::absolute(python, ec)}) {
    const fs::path prefix = exe.parent_path().parent_path();
    if (!exe.empty() && !prefix.empty() && prefix != prefix.root_path()) paths.push_back(prefix.string());
  }
  return paths;
}

void check_file_name(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name == "main.py" ||
      name.find('/') != std::string::npos || name.find('\0') != std::string::npos)
    throw Error("sandbox: invalid extra file name '" + name + "' (a plain name other than main.py)");
}

}  // namespace

std::string find_python3() {
  if (const char* env = std::getenv("LOCO_PYTHON"); env && *env) {
    if (access(env, X_OK) != 0) throw Error(std::string("LOCO_PYTHON=") + env + " is not an executable file");
    return env;
  }
  const bool root = geteuid() == 0;
  std::vector<std::string> candidates;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream dirs(path);
    for (std::string dir; std::getline(dirs, dir, ':');)
      if (!dir.empty()) candidates.push_back(dir + "/python3");
  }
  candidates.push_back("/usr/local/bin/python3");
  candidates.push_back("/usr/bin/python3");
  for (const std::string& candidate : candidates) {
    if (!is_elf_executable(candidate)) continue;
    if (root && !reachable_by_others(candidate, S_IXOTH)) continue;
    return candidate;
  }
  throw Error(
      "python3 not found: the code sandbox needs a python3 executable on PATH, in /usr/local/bin "
      "or /usr/bin (wrapper scripts such as pyenv shims are skipped" +
      std::string(root ? ", and as root it must be executable by other users" : "") +
      "); set LOCO_PYTHON to choose one");
}

SandboxResult run_python_sandboxed(const std::string& program, const SandboxLimits& limits,
                                   const std::vector<SandboxFile>& files) {
  for (const SandboxFile& f : files) check_file_name(f.name);
  const std::string python = find_python3();
  const bool root = geteuid() == 0;

  WorkDir work(root);
  work.write("main.py", program);
  for (const SandboxFile& f : files) work.write(f.name, f.content);
  chmod(work.path().c_str(), 0700);

  ChildPlan plan;
  if (root) {
    uid_t uid = fresh_sandbox_uid();
    if (work.give_to(uid, uid)) {
      plan.drop_uid = true;
      plan.uid = uid;
      plan.gid = uid;
    } else if (work.give_to(kNobody, kNobody)) {
      plan.drop_uid = true;
      plan.uid = plan.gid = kNobody;
    } else {
      throw SandboxUnavailable(
          "sandbox: refusing to run code: running as root, and the temporary directory cannot be given to an "
          "unprivileged uid (so the program would run as root)");
    }
  } else {
    plan.user_namespace = true;
    std::snprintf(plan.uid_map, sizeof plan.uid_map, "%u %u 1", getuid(), getuid());
    std::snprintf(plan.gid_map, sizeof plan.gid_map, "%u %u 1", getgid(), getgid());
  }
  const bool unique_uid = plan.drop_uid && plan.uid != kNobody;
  plan.required_layers = kLayerSetsid | kLayerRlimits | kLayerLandlock | kLayerSeccomp | (root ? kLayerUid : 0u);
  const std::vector<std::string> read_paths = readable_paths(python);
  for (const std::string& p : read_paths) {
    if (plan.n_read_paths < ChildPlan::kMaxReadPaths) plan.read_paths[plan.n_read_paths++] = p.c_str();
  }

  // argv and environment: isolated mode (-I: no user site, no PYTHON* variables, no
  // script directory on sys.path), no bytecode files (-B), UTF-8 I/O.
  std::vector<std::string> args = {python, "-I", "-B", "-X", "utf8"};
  if (limits.python_guard) {
    args.push_back("-c");
    args.push_back(kPythonGuard);
  } else {
    args.push_back("main.py");
  }
  const std::string dir = work.path().string();
  std::vector<std::string> env = {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + dir,
                                  "TMPDIR=" + dir, "LANG=C.UTF-8"};
  std::vector<char*> argv, envp;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  Fd stdin_fd(open("/dev/null", O_RDONLY | O_CLOEXEC));
  Fd out_read, out_write, err_read, err_write, report_read, report_write;
  make_pipe(out_read, out_write);
  make_pipe(err_read, err_write);
  make_pipe(report_read, report_write);
  if (stdin_fd.get() < 0) throw Error("sandbox: cannot open /dev/null: " + errno_text(errno));

  const uint64_t cpu = static_cast<uint64_t>(std::max(1, limits.cpu_seconds));
  plan.executable = python.c_str();
  plan.argv = argv.data();
  plan.envp = envp.data();
  plan.work_dir = dir.c_str();
  plan.stdin_fd = stdin_fd.get();
  plan.stdout_fd = out_write.get();
  plan.stderr_fd = err_write.get();
  plan.report_fd = report_write.get();
  plan.parent = getpid();
  plan.cpu = limit_pair(cpu, cpu + 1);  // SIGXCPU at the soft limit, SIGKILL a second later
  plan.address_space = limit_pair(limits.memory_bytes, limits.memory_bytes);
  plan.file_size = limit_pair(limits.file_bytes, limits.file_bytes);
  plan.processes = limit_pair(static_cast<uint64_t>(limits.max_processes), static_cast<uint64_t>(limits.max_processes));
  plan.open_files = limit_pair(static_cast<uint64_t>(limits.max_open_files), static_cast<uint64_t>(limits.max_open_files));

  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid < 0) throw Error("sandbox: fork failed: " + errno_text(errno));
  if (pid == 0) run_child(plan);

  out_write.reset();
  err_write.reset();
  report_write.reset();
  stdin_fd.reset();

  SandboxResult result;
  result.process_group = pid;  // setsid made the child the leader of its own group
  bool seccomp = false;        // known once the child reports its layers
  auto finish = [&] {
    // While the child is an unreaped zombie its pid cannot be reused, so the group id
    // still names only what it started.
    killpg(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    // With seccomp no second process can exist; otherwise hunt down the rest. (A group id
    // stays reserved while any member lives, so `pid` still names only the program's.)
    if (!seccomp) kill_leftovers(pid, unique_uid ? std::optional<uid_t>(plan.uid) : std::nullopt, plan.gid);
    return status;
  };

  // The child reports once before execve, and once more if execve (or setup) fails; the
  // pipe closes at a successful execve.
  ChildReport reports[2];
  size_t got = 0;
  char* into = reinterpret_cast<char*>(reports);
  for (;;) {
    ssize_t n = read(report_read.get(), into + got, sizeof reports - got);
    if (n > 0) got += static_cast<size_t>(n);
    else if (n == 0 || errno != EINTR) break;
    if (got == sizeof reports) break;
  }
  size_t count = got / sizeof(ChildReport);
  if (count == 0) {
    finish();
    throw Error("sandbox: the child process for " + python + " ended before starting it");
  }
  if (count == 2 || reports[0].stage != kStageStarted) {
    finish();
    const ChildReport& r = reports[count - 1];
    if (r.stage == kStageUid) {
      throw SandboxUnavailable("sandbox: refusing to run code: running as root, and switching to an unprivileged "
                               "uid failed (" + errno_text(r.error) + "), so the program would run as root");
    }
    if (r.stage == kStageMissingLayers) {
      throw SandboxUnavailable("sandbox: refusing to run code: this machine lacks " +
                               missing_layers_text(plan.required_layers & ~r.layers));
    }
    throw Error("sandbox: could not start " + python + ": " + stage_name(r.stage) + " failed: " +
                errno_text(r.error));
  }
  result.layers = layer_names(reports[0].layers, limits.python_guard);
  seccomp = (reports[0].layers & kLayerSeccomp) != 0;

  // Watch: output, the child's exit (a pidfd when the kernel has them), the deadline, and
  // every 20 ms the disk the temporary directory takes (RLIMIT_FSIZE bounds one file, not
  // how many a program writes).
  fcntl(out_read.get(), F_SETFL, O_NONBLOCK);
  fcntl(err_read.get(), F_SETFL, O_NONBLOCK);
  Fd pidfd(open_pidfd(pid));
  CappedOutput out(limits.output_bytes), err(limits.output_bytes);
  bool out_open = true, err_open = true;
  const auto deadline = start + std::chrono::duration<double>(std::max(0.0, limits.wall_seconds));
  for (;;) {
    if (child_has_exited(pid)) break;
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      result.timed_out = true;
      break;
    }
    if (const DiskUse use = disk_use(work.path(), limits.max_files);
        use.bytes > limits.disk_bytes || use.too_many_entries) {
      result.disk_exceeded = true;
      break;
    }
    pollfd fds[3];
    nfds_t n = 0;
    if (out_open) fds[n++] = {out_read.get(), POLLIN, 0};
    if (err_open) fds[n++] = {err_read.get(), POLLIN, 0};
    if (pidfd.get() >= 0) fds[n++] = {pidfd.get(), POLLIN, 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1;
    int wait_ms = static_cast<int>(std::min<long long>(left, 20));
    if (poll(fds, n, wait_ms) < 0 && errno != EINTR) break;
    if (out_open) out_open = read_some(out_read.get(), out);
    if (err_open) err_open = read_some(err_read.get(), err);
  }
  int status = finish();
  if (out_open) read_some(out_read.get(), out);
  if (err_open) read_some(err_read.get(), err);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.killed_by_signal = WTERMSIG(status);
  result.passed = !result.timed_out && !result.disk_exceeded && WIFEXITED(status) && result.exit_code == 0;
  result.stdout_text = out.text();
  result.stderr_text = err.text();
  result.output_truncated = out.truncated() || err.truncated();
  return result;
}

}  // namespace loco
