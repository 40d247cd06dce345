// The Python-level layer of the code sandbox: a `python3 -c` script that installs an
// audit hook (PEP 578) and then runs main.py from the current directory as __main__.
#pragma once

namespace loco::sandbox_detail {

// Refuses, with PermissionError: any socket operation; subprocess, os.system, os.fork,
// os.exec*, os.spawn*, os.posix_spawn, os.kill/killpg; ctypes; opening a path for writing
// (or creating, removing, renaming, linking, chmod/chown/utime/truncate) outside the
// current directory, symlinks resolved; dir_fd-relative path operations; opening a
// directory outside (the start of a dir_fd escape). A determined program can get around
// an audit hook from inside Python, which is why the kernel layers exist.
extern const char* const kPythonGuard;

}  // namespace loco::sandbox_detail
