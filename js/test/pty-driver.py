#!/usr/bin/env python3
"""Drive a command through a real pseudo-terminal, like a person at a keyboard.

Reads one JSON document on stdin:
  {"argv": [...], "cwd": "...", "env": {...},
   "steps": [{"expect": "regex", "send": "text"}, ...], "timeout": 20}
Each step waits until `expect` (a Python regex) matches the output that followed the
previous match, then types `send` (JSON escapes: "\\r" is Enter, "\\u0003" Ctrl-C,
"\\u0004" Ctrl-D). A step without "expect" types at once; one without "send" only waits.
After the last step, reads until the command exits.

Prints one JSON document: {"transcript": everything the terminal showed (stdout and stderr
as the person saw them, including whatever the terminal echoed), "status": exit code or
null, "signal": signal number or null, "error": why a step timed out, or null}.
The terminal is 80x24. Standard library only (pty, select, termios).
"""

import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time


def main() -> None:
    job = json.load(sys.stdin)
    timeout = float(job.get("timeout", 20))
    pid, fd = pty.fork()
    if pid == 0:  # child: the command, on the terminal's slave side
        try:
            os.chdir(job["cwd"])
            os.execvpe(job["argv"][0], job["argv"], job["env"])
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))

    out = bytearray()
    eof = False

    def pump(wait: float) -> None:
        nonlocal eof
        if eof:
            return
        r, _, _ = select.select([fd], [], [], wait)
        if fd in r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the child closed the terminal
                chunk = b""
            if chunk:
                out.extend(chunk)
            else:
                eof = True

    error = None
    pos = 0
    for i, step in enumerate(job["steps"]):
        if "expect" in step:
            pattern = re.compile(step["expect"])
            deadline = time.monotonic() + timeout
            while True:
                m = pattern.search(out.decode("utf-8", "replace"), pos)
                if m:
                    pos = m.end()
                    break
                if eof or time.monotonic() > deadline:
                    error = f"step {i}: {step['expect']!r} not seen ({'exited' if eof else 'timeout'})"
                    break
                pump(0.05)
            if error:
                break
        if "send" in step:
            time.sleep(float(step.get("delay", 0.05)))
            os.write(fd, step["send"].encode("utf-8"))

    deadline = time.monotonic() + timeout
    while not eof and time.monotonic() < deadline:
        pump(0.1)
    if not eof:
        os.kill(pid, signal.SIGKILL)
        error = error or "the command did not exit"
    _, st = os.waitpid(pid, 0)
    os.close(fd)
    json.dump(
        {
            "transcript": out.decode("utf-8", "replace"),
            "status": os.WEXITSTATUS(st) if os.WIFEXITED(st) else None,
            "signal": os.WTERMSIG(st) if os.WIFSIGNALED(st) else None,
            "error": error,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
