"""
-o into a FIFO, through a symlink, and a new file's mode: prints what happened.

    special_outputs.py DIR INPUT

A FIFO (or a device such as /dev/null) must be written into, not replaced by a
regular file; a symlink must keep pointing at the file it names, which gets the
output; a new file gets 0666 less the umask (not mkstemp's 0600), and a
replaced file keeps its mode.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path


def qkv_opt(*args: str) -> int:
    return subprocess.run(["qkv-opt", *args], check=False).returncode


def main(directory: Path, source: str) -> None:
    fifo = directory / "fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    code = qkv_opt(source, "-o", str(fifo))
    reader.join(60)
    kind = "fifo" if stat.S_ISFIFO(os.stat(fifo).st_mode) else "replaced"
    print(f"fifo: exit {code}, still a {kind}, {len(received[0]) if received else 0} bytes read")

    real = directory / "real.mlir"
    real.write_text("old\n")
    real.chmod(0o640)
    link = directory / "link.mlir"
    link.symlink_to(real.name)
    code = qkv_opt(source, "-o", str(link))
    print(
        f"symlink: exit {code}, still a link: {link.is_symlink()}, target has the output: "
        f"{'func.func' in real.read_text()}, target mode {stat.S_IMODE(real.stat().st_mode):o}"
    )

    os.umask(0o022)
    new = directory / "new.mlir"
    code = qkv_opt(source, "-o", str(new))
    print(f"new file: exit {code}, mode {stat.S_IMODE(new.stat().st_mode):o}")

    null = os.stat("/dev/null").st_mode
    print(f"/dev/null is a character device: {stat.S_ISCHR(null)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
