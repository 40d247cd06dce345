// The child side of the code sandbox: what happens between fork() and execve(python3).
//
// The parent may have threads, so after fork the child may only make system calls (no
// allocation, no locks, no stdio): everything it needs is prepared in a ChildPlan first,
// and it reports back through a close-on-exec pipe.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <cstdint>

namespace loco::sandbox_detail {

// Layers the child applied (bit flags, reported to the parent before execve).
enum Layer : uint32_t {
  kLayerRlimits = 1u << 0,
  kLayerSetsid = 1u << 1,
  kLayerUid = 1u << 2,
  kLayerNetns = 1u << 3,
  kLayerLandlock = 1u << 4,
  kLayerSeccomp = 1u << 5,
};

// Where the child stopped when it could not start python3.
enum Stage : int32_t {
  kStageStarted = 0,  // reached execve
  kStageExec = 1,
  kStageDescriptors = 2,
  kStageSession = 3,
  kStageLimits = 4,
  kStageUserNamespace = 5,
  kStageUid = 6,
  kStageParentGone = 7,
  kStageWorkDir = 8,
  kStageMissingLayers = 9,  // a required layer could not be applied: python3 not started
};
const char* stage_name(int32_t stage);

// What the child writes to the report pipe: once before execve (stage kStageStarted), and
// once more if something fails (execve included).
struct ChildReport {
  uint32_t layers = 0;
  int32_t stage = kStageStarted;
  int32_t error = 0;  // errno
};

struct ChildPlan {
  const char* executable = nullptr;
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  const char* work_dir = nullptr;
  int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1, report_fd = -1;
  pid_t parent = 0;
  bool drop_uid = false;       // running as root: become uid/gid
  uid_t uid = 0;
  gid_t gid = 0;
  bool user_namespace = false; // not root: try a user namespace to get a network namespace
  char uid_map[48] = {};       // "<uid> <uid> 1" for the user namespace
  char gid_map[48] = {};
  rlimit cpu{}, address_space{}, file_size{}, processes{}, open_files{};
  // Layers without which python3 is not started (fail closed).
  uint32_t required_layers = 0;
  // Directories (or files) python3 may read and execute beneath; everything else except
  // work_dir is unreadable under Landlock. Paths that do not exist are skipped.
  static constexpr int kMaxReadPaths = 16;
  const char* read_paths[kMaxReadPaths] = {};
  int n_read_paths = 0;
};

[[noreturn]] void run_child(const ChildPlan& plan);

}  // namespace loco::sandbox_detail
