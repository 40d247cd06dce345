#include "locollm/sandbox/sandbox_guard.h"

namespace loco::sandbox_detail {

const char* const kPythonGuard = R"PY(
import os, sys, runpy

def _loco_install_guard():
    if not hasattr(sys, "addaudithook"):
        sys.exit("sandbox: python3 >= 3.8 is required (sys.addaudithook)")
    root = os.path.realpath(os.getcwd())
    prefix = root.rstrip(os.sep) + os.sep
    realpath, fspath, fsdecode, isdir = os.path.realpath, os.fspath, os.fsdecode, os.path.isdir
    devnull = os.devnull
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
    denied = ("os.system", "os.fork", "os.posix_spawn", "os.spawn", "os.exec", "os.kill",
              "os.killpg", "os.startfile", "os.setuid", "os.setgid", "os.setre", "os.setres",
              "subprocess.", "pty.", "socket.", "ctypes.", "_ctypes.", "sys.remote_exec",
              "webbrowser.", "winreg.", "_winapi.")
    # event: (arguments that are paths and must lie inside, arguments that are dir_fd)
    path_events = {
        "os.chmod": ((0,), (2,)), "os.chown": ((0,), (3,)), "os.link": ((0, 1), (2, 3)),
        "os.mkdir": ((0,), (2,)), "os.remove": ((0,), (1,)), "os.rename": ((0, 1), (2, 3)),
        "os.rmdir": ((0,), (1,)), "os.symlink": ((1,), (2,)), "os.truncate": ((0,), ()),
        "os.utime": ((0,), (3,)), "os.setxattr": ((0,), ()), "os.removexattr": ((0,), ()),
        "os.chflags": ((0,), ()), "os.lchflags": ((0,), ()), "os.mkfifo": ((0,), (2,)),
        "os.mknod": ((0,), (3,)), "shutil.rmtree": ((0,), (1,)),
        "sqlite3.connect": ((0,), ()),
    }

    def inside(path):
        if isinstance(path, int):
            return True  # an already open descriptor
        try:
            p = fsdecode(fspath(path))
        except Exception:
            return False
        if p in (devnull, ":memory:", ""):
            return True
        full = realpath(p)
        return full == root or full.startswith(prefix)

    def refuse(event, what):
        raise PermissionError(f"sandbox: {event} {what!r} is not allowed")

    def hook(event, args):
        if event.startswith(denied):
            raise PermissionError(f"sandbox: {event} is not allowed")
        if event == "open":
            path = args[0]
            mode = args[1] if len(args) > 1 else None
            flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
            writing = flags & write_flags or (isinstance(mode, str) and any(c in mode for c in "wax+"))
            if writing and not inside(path):
                refuse(event, path)
            if mode is None and not isinstance(path, int) and not inside(path) and isdir(path):
                refuse("opening directory", path)
        elif event in path_events:
            paths, dir_fds = path_events[event]
            for i in dir_fds:
                if i < len(args) and args[i] not in (None, -1):
                    refuse(event + " with dir_fd", args[i])
            for i in paths:
                if i < len(args) and not inside(args[i]):
                    refuse(event, args[i])

    sys.addaudithook(hook)

_loco_install_guard()
del _loco_install_guard
sys.argv = ["main.py"]
runpy.run_path("main.py", run_name="__main__")
)PY";

}  // namespace loco::sandbox_detail
