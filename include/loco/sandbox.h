// Runs untrusted Python (a model's code answer plus its tests) in a `python3` child that
// cannot harm the machine: no network, no new processes, no writes outside a fresh
// temporary directory, bounded time, memory, file size and output.
//
// Layers. The sandbox fails closed: setsid, rlimits, landlock, seccomp and (as root) uid
// are required, and when any cannot be applied python3 is not started and
// SandboxUnavailable says which is missing. netns and python-guard are extra depth.
//   setsid       its own session and process group; the group is SIGKILLed on timeout
//                and again when the program ends, so nothing it started outlives it
//   netns        a new, empty network namespace (as root, or in a new user namespace)
//   rlimits      CPU seconds, address space, file size, open files, processes, no core
//   uid          as root: runs as a fresh unprivileged uid of its own (so RLIMIT_NPROC
//                applies, it cannot signal or ptrace anything else, and every process of
//                that uid is killed afterwards); never as root
//   landlock     the kernel refuses writes outside the temporary directory, and reads
//                outside it and the system's directories (/usr, /lib*, /bin, /sbin,
//                /etc, the interpreter's prefix): the user's home, /tmp, /root, /proc
//                stay unreadable (Linux 5.13+); TCP bind/connect (6.7+), and signals to
//                processes outside (6.12+)
//   seccomp      socket(), fork/vfork/clone of processes (threads stay allowed),
//                io_uring, ptrace, mount, namespaces and signals to other processes fail
//   python-guard the program runs under `python3 -I -B` behind a sys.addaudithook that
//                refuses sockets, subprocesses, os.fork/exec/system/kill, ctypes, and
//                opening for writing (or creating, removing, renaming) paths outside
//                the temporary directory; best effort, the kernel layers are the wall
// The layers are described with the test that shows each in docs/voting.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "loco/error.h"

namespace loco {

// The sandbox cannot be made complete on this machine (a required layer is missing, or
// as root no unprivileged uid is available): the code is not run. The message names what
// is missing.
class SandboxUnavailable : public Error {
 public:
  using Error::Error;
};

struct SandboxLimits {
  double wall_seconds = 10;              // the process group is killed after this
  int cpu_seconds = 10;                  // RLIMIT_CPU (SIGXCPU, then SIGKILL a second later)
  uint64_t memory_bytes = 1ull << 30;    // RLIMIT_AS
  uint64_t file_bytes = 16ull << 20;     // RLIMIT_FSIZE: largest file it may write
  uint64_t disk_bytes = 64ull << 20;     // the temporary directory's files, all together
  int max_files = 4096;                  // entries in the temporary directory
  int max_processes = 32;                // RLIMIT_NPROC (threads count as processes)
  int max_open_files = 64;               // RLIMIT_NOFILE
  size_t output_bytes = 64 * 1024;       // per stream; beyond it the middle is dropped
  bool python_guard = true;              // false only to test the kernel layers alone
};

// An extra file written into the temporary directory before the program runs.
struct SandboxFile {
  std::string name;  // a plain file name: no '/', not "main.py"
  std::string content;
};

struct SandboxResult {
  bool passed = false;      // exited with status 0 in time
  bool timed_out = false;   // killed for exceeding wall_seconds
  bool disk_exceeded = false;  // killed for exceeding disk_bytes or max_files
  int killed_by_signal = 0; // the signal that ended it (SIGKILL, SIGXCPU, ...), else 0
  int exit_code = -1;       // its exit status, -1 when killed by a signal
  std::string stdout_text;  // capped at output_bytes: head, "[... N bytes omitted ...]", tail
  std::string stderr_text;
  bool output_truncated = false;
  double seconds = 0;       // wall time from start to reaping
  int process_group = 0;    // the program's process group (gone when this returns)
  std::vector<std::string> layers;  // the layers that were applied, in the order above
};

// Writes `program` to main.py in a fresh temporary directory (plus `files`), runs it
// there under the limits and removes the directory. Throws SandboxUnavailable when a
// required layer is missing, loco::Error when no usable python3 exists or the sandbox
// cannot be set up; a failing program is a result, not an error.
SandboxResult run_python_sandboxed(const std::string& program, const SandboxLimits& limits = {},
                                   const std::vector<SandboxFile>& files = {});

// The python3 interpreter the sandbox runs: $LOCO_PYTHON if set, else the first python3
// on $PATH, /usr/local/bin or /usr/bin that is a real executable (not a wrapper script
// such as a pyenv shim, which needs the environment the sandbox clears) and, when running
// as root, executable by an unprivileged user. Throws loco::Error when there is none.
std::string find_python3();

}  // namespace loco
