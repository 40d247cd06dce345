// The child side of the code sandbox (see sandbox_child.h): only system calls from here on.
#include "locollm/sandbox/sandbox_child.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include <grp.h>

namespace loco::sandbox_detail {

const char* stage_name(int32_t stage) {
  switch (stage) {
    case kStageStarted: return "start";
    case kStageExec: return "execve";
    case kStageDescriptors: return "redirecting stdin/stdout/stderr";
    case kStageSession: return "setsid";
    case kStageLimits: return "setrlimit";
    case kStageUserNamespace: return "user namespace id maps";
    case kStageUid: return "switching to the sandbox uid";
    case kStageParentGone: return "parent exited";
    case kStageWorkDir: return "chdir to the temporary directory";
    case kStageMissingLayers: return "applying every required layer";
  }
  return "?";
}

namespace {

void report(const ChildPlan& plan, uint32_t layers, int32_t stage, int32_t error) {
  ChildReport message{layers, stage, error};
  ssize_t written = write(plan.report_fd, &message, sizeof message);
  (void)written;
}

[[noreturn]] void fail(const ChildPlan& plan, uint32_t layers, int32_t stage) {
  report(plan, layers, stage, errno);
  _exit(127);
}

bool write_file(const char* path, const char* text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  size_t length = strlen(text);
  bool ok = write(fd, text, length) == static_cast<ssize_t>(length);
  close(fd);
  return ok;
}

// Every descriptor above 2 closes at execve (the report pipe is already close-on-exec).
void close_on_exec_above_stderr() {
#ifdef SYS_close_range
  constexpr unsigned kCloexec = 1u << 2;  // CLOSE_RANGE_CLOEXEC (Linux 5.11)
  if (syscall(SYS_close_range, 3u, ~0u, kCloexec) == 0) return;
#endif
  rlimit files{};
  rlim_t last = getrlimit(RLIMIT_NOFILE, &files) == 0 ? files.rlim_cur : 1024;
  if (last > 65536) last = 65536;
  for (int fd = 3; fd < static_cast<int>(last); ++fd) fcntl(fd, F_SETFD, FD_CLOEXEC);
}

bool lower_limit(int resource, rlimit wanted) {
  rlimit current{};
  if (getrlimit(resource, &current) != 0) return false;
  if (current.rlim_max != RLIM_INFINITY) {
    if (wanted.rlim_max > current.rlim_max) wanted.rlim_max = current.rlim_max;
    if (wanted.rlim_cur > wanted.rlim_max) wanted.rlim_cur = wanted.rlim_max;
  }
  return setrlimit(resource, &wanted) == 0;
}

// ---- Landlock (kernel ABI, defined here because Debian 12's headers stop at ABI 2) ----

#ifdef SYS_landlock_create_ruleset
constexpr long kLandlockCreate = SYS_landlock_create_ruleset;
constexpr long kLandlockAddRule = SYS_landlock_add_rule;
constexpr long kLandlockRestrict = SYS_landlock_restrict_self;
#else
constexpr long kLandlockCreate = 444;  // the same number on every architecture
constexpr long kLandlockAddRule = 445;
constexpr long kLandlockRestrict = 446;
#endif
constexpr uint32_t kLandlockVersion = 1u << 0;
constexpr uint64_t kFsExecute = 1ull << 0, kFsReadFile = 1ull << 2, kFsReadDir = 1ull << 3;
constexpr uint64_t kFsWriteFile = 1ull << 1, kFsRemoveDir = 1ull << 4, kFsRemoveFile = 1ull << 5,
                   kFsMakeChar = 1ull << 6, kFsMakeDir = 1ull << 7, kFsMakeReg = 1ull << 8,
                   kFsMakeSock = 1ull << 9, kFsMakeFifo = 1ull << 10, kFsMakeBlock = 1ull << 11,
                   kFsMakeSym = 1ull << 12, kFsRefer = 1ull << 13, kFsTruncate = 1ull << 14;
constexpr uint64_t kNetBindTcp = 1ull << 0, kNetConnectTcp = 1ull << 1;
constexpr uint64_t kScopeAbstractUnix = 1ull << 0, kScopeSignal = 1ull << 1;
constexpr uint32_t kRulePathBeneath = 1;

struct LandlockRulesetAttr {
  uint64_t handled_access_fs = 0;
  uint64_t handled_access_net = 0;  // ABI 4
  uint64_t scoped = 0;              // ABI 6
};
struct __attribute__((packed)) LandlockPathBeneath {
  uint64_t allowed_access;
  int32_t parent_fd;
};

bool add_path_rule(int ruleset, const char* path, uint64_t access) {
  int fd = open(path, O_PATH | O_CLOEXEC);
  if (fd < 0) return false;
  LandlockPathBeneath rule{access, fd};
  bool ok = syscall(kLandlockAddRule, ruleset, kRulePathBeneath, &rule, 0u) == 0;
  close(fd);
  return ok;
}

// Everything beneath the temporary directory is allowed; reading and executing beneath
// the plan's read paths (the interpreter, the system libraries); reading and writing
// /dev/null; nothing else: the user's files can be neither read nor written.
bool apply_landlock(const ChildPlan& plan) {
  long abi = syscall(kLandlockCreate, nullptr, 0, kLandlockVersion);
  if (abi < 1) return false;
  LandlockRulesetAttr attr;
  constexpr uint64_t kRead = kFsExecute | kFsReadFile | kFsReadDir;
  attr.handled_access_fs = kRead | kFsWriteFile | kFsRemoveDir | kFsRemoveFile | kFsMakeChar | kFsMakeDir |
                           kFsMakeReg | kFsMakeSock | kFsMakeFifo | kFsMakeBlock | kFsMakeSym;
  if (abi >= 2) attr.handled_access_fs |= kFsRefer;
  if (abi >= 3) attr.handled_access_fs |= kFsTruncate;
  size_t size = offsetof(LandlockRulesetAttr, handled_access_net);
  if (abi >= 4) {
    attr.handled_access_net = kNetBindTcp | kNetConnectTcp;  // no rule: none allowed
    size = offsetof(LandlockRulesetAttr, scoped);
  }
  if (abi >= 6) {
    attr.scoped = kScopeAbstractUnix | kScopeSignal;
    size = sizeof attr;
  }
  int ruleset = static_cast<int>(syscall(kLandlockCreate, &attr, size, 0u));
  if (ruleset < 0) return false;
  bool ok = add_path_rule(ruleset, plan.work_dir, attr.handled_access_fs);
  for (int i = 0; i < plan.n_read_paths; ++i) add_path_rule(ruleset, plan.read_paths[i], kRead);  // optional
  const uint64_t null_access = kFsReadFile | kFsWriteFile | (abi >= 3 ? kFsTruncate : 0);
  add_path_rule(ruleset, "/dev/null", null_access);  // optional
  ok = ok && syscall(kLandlockRestrict, ruleset, 0u) == 0;
  close(ruleset);
  return ok;
}

// ---- seccomp ----

#if defined(__x86_64__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_AARCH64;
#else
constexpr uint32_t kAuditArch = 0;  // unknown architecture: no seccomp layer
#endif

class Filter {
 public:
  void add(uint16_t code, uint32_t k, uint8_t jt = 0, uint8_t jf = 0) {
    if (n_ < kCapacity) code_[n_++] = sock_filter{code, jt, jf, k};
    else overflow_ = true;
  }
  void load_nr() { add(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)); }
  // Low 32 bits of argument i (little-endian; the kernel reads pid_t and int flags there).
  void load_arg(int i) {
    add(BPF_LD | BPF_W | BPF_ABS, static_cast<uint32_t>(offsetof(seccomp_data, args) + 8 * i));
  }
  void ret(uint32_t action) { add(BPF_RET | BPF_K, action); }
  // if nr == syscall: return action
  void deny(long syscall_nr, uint32_t action) {
    add(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(syscall_nr), 0, 1);
    ret(action);
  }
  // if nr == syscall: allowed only when argument `arg` is one of `allowed` (up to 3)
  void allow_arg_in(long syscall_nr, int arg, const uint32_t* allowed, uint8_t count, uint32_t deny_action) {
    add(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(syscall_nr), 0, static_cast<uint8_t>(count + 3));
    load_arg(arg);
    for (uint8_t i = 0; i < count; ++i)
      add(BPF_JMP | BPF_JEQ | BPF_K, allowed[i], static_cast<uint8_t>(count - i), 0);
    ret(deny_action);
    ret(SECCOMP_RET_ALLOW);
  }
  bool install() {
    if (overflow_) return false;
    sock_fprog program{n_, code_};
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program, 0, 0) == 0;
  }

 private:
  static constexpr unsigned short kCapacity = 256;
  sock_filter code_[kCapacity] = {};
  unsigned short n_ = 0;
  bool overflow_ = false;
};

constexpr uint32_t errno_action(int error) {
  return SECCOMP_RET_ERRNO | (static_cast<uint32_t>(error) & SECCOMP_RET_DATA);
}

bool apply_seccomp() {
  if (kAuditArch == 0) return false;
  const uint32_t eperm = errno_action(EPERM);
  const uint32_t self = static_cast<uint32_t>(getpid());  // also its process group (setsid)
  Filter f;
  // Another ABI on the same kernel (i386 via int 0x80) would bypass the numbers below.
  f.add(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch));
  f.add(BPF_JMP | BPF_JEQ | BPF_K, kAuditArch, 1, 0);
  f.ret(SECCOMP_RET_KILL_PROCESS);
  f.load_nr();
#if defined(__x86_64__)
  f.add(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1);  // x32 system calls
  f.ret(eperm);
#endif
  f.deny(SYS_socket, errno_action(EACCES));
  f.deny(SYS_socketpair, errno_action(EACCES));
  // New processes: fork/vfork, clone without CLONE_THREAD; clone3 passes its flags in
  // memory a filter cannot read, so it reports ENOSYS and libc falls back to clone.
#ifdef SYS_fork
  f.deny(SYS_fork, eperm);
#endif
#ifdef SYS_vfork
  f.deny(SYS_vfork, eperm);
#endif
#ifdef SYS_clone3
  f.deny(SYS_clone3, errno_action(ENOSYS));
#endif
  f.add(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 4);
  f.load_arg(0);
  f.add(BPF_JMP | BPF_JSET | BPF_K, CLONE_THREAD, 0, 1);
  f.ret(SECCOMP_RET_ALLOW);
  f.ret(eperm);
  // Signals only to itself (or its own process group, which holds only itself).
  const uint32_t kill_targets[] = {self, 0u, static_cast<uint32_t>(-static_cast<int32_t>(self))};
  f.allow_arg_in(SYS_kill, 0, kill_targets, 3, eperm);
  f.allow_arg_in(SYS_tgkill, 0, &self, 1, eperm);
  f.allow_arg_in(SYS_tkill, 0, &self, 1, eperm);
  f.allow_arg_in(SYS_rt_sigqueueinfo, 0, &self, 1, eperm);
  f.allow_arg_in(SYS_rt_tgsigqueueinfo, 0, &self, 1, eperm);
  // Ways around the other layers, or into the kernel's larger attack surface.
  const long denied[] = {
    SYS_ptrace, SYS_process_vm_readv, SYS_process_vm_writev, SYS_unshare, SYS_setns,
    SYS_mount, SYS_umount2, SYS_pivot_root, SYS_chroot, SYS_keyctl, SYS_add_key,
    SYS_request_key, SYS_bpf, SYS_perf_event_open, SYS_userfaultfd, SYS_io_uring_setup,
    SYS_io_uring_enter, SYS_io_uring_register, SYS_pidfd_send_signal, SYS_pidfd_getfd,
    SYS_kexec_load, SYS_init_module, SYS_finit_module, SYS_delete_module, SYS_reboot,
    SYS_swapon, SYS_swapoff, SYS_acct, SYS_open_by_handle_at, SYS_name_to_handle_at,
    SYS_fanotify_init, SYS_quotactl,
#ifdef SYS_open_tree
    SYS_open_tree, SYS_move_mount, SYS_fsopen, SYS_fsconfig, SYS_fsmount, SYS_fspick,
#endif
#ifdef SYS_mount_setattr
    SYS_mount_setattr,
#endif
  };
  for (long nr : denied) f.deny(nr, eperm);
  f.ret(SECCOMP_RET_ALLOW);
  return f.install();
}

}  // namespace

void run_child(const ChildPlan& plan) {
  uint32_t layers = 0;
  if (setsid() < 0) fail(plan, layers, kStageSession);
  layers |= kLayerSetsid;
  if (dup2(plan.stdin_fd, 0) < 0 || dup2(plan.stdout_fd, 1) < 0 || dup2(plan.stderr_fd, 2) < 0)
    fail(plan, layers, kStageDescriptors);
  close_on_exec_above_stderr();

  // An empty network namespace: as root directly; otherwise inside a new user namespace
  // that maps only our own uid and gid (so files it creates belong to us as before).
  if (unshare(CLONE_NEWNET) == 0) {
    layers |= kLayerNetns;
  } else if (plan.user_namespace && unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0) {
    if (!write_file("/proc/self/setgroups", "deny") || !write_file("/proc/self/uid_map", plan.uid_map) ||
        !write_file("/proc/self/gid_map", plan.gid_map))
      fail(plan, layers, kStageUserNamespace);
    layers |= kLayerNetns;
  }

  if (!lower_limit(RLIMIT_CORE, rlimit{0, 0}) || !lower_limit(RLIMIT_CPU, plan.cpu) ||
      !lower_limit(RLIMIT_AS, plan.address_space) || !lower_limit(RLIMIT_FSIZE, plan.file_size) ||
      !lower_limit(RLIMIT_NPROC, plan.processes) || !lower_limit(RLIMIT_NOFILE, plan.open_files))
    fail(plan, layers, kStageLimits);
  layers |= kLayerRlimits;

  if (plan.drop_uid) {
    if (setgroups(0, nullptr) != 0 || setresgid(plan.gid, plan.gid, plan.gid) != 0 ||
        setresuid(plan.uid, plan.uid, plan.uid) != 0 || getuid() != plan.uid || geteuid() != plan.uid)
      fail(plan, layers, kStageUid);
    layers |= kLayerUid;
  }
  // Set after the uid change, which clears it: the program dies with the parent thread.
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (getppid() != plan.parent) fail(plan, layers, kStageParentGone);
  if (chdir(plan.work_dir) != 0) fail(plan, layers, kStageWorkDir);

  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0) {
    if (apply_landlock(plan)) layers |= kLayerLandlock;
    if (apply_seccomp()) layers |= kLayerSeccomp;
  }
  if ((layers & plan.required_layers) != plan.required_layers) {
    errno = 0;
    fail(plan, layers, kStageMissingLayers);
  }
  report(plan, layers, kStageStarted, 0);
  execve(plan.executable, plan.argv, plan.envp);
  fail(plan, layers, kStageExec);
}

}  // namespace loco::sandbox_detail
