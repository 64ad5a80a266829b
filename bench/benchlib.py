"""Shared by bench/gemm.py and bench/end_to_end.py: running a command on one
thread, and replacing a marked table in a Markdown file."""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("QOPT_BUILD_DIR", os.path.join(ROOT, "build"))
PEERS = os.path.join(ROOT, "bench", "peers")
ONE_THREAD = dict(os.environ, OMP_NUM_THREADS="1")


def run(cmd):
    """Runs `cmd` (peers limited to one thread); returns its stdout."""
    return subprocess.run(cmd, check=True, capture_output=True, text=True,
                          env=ONE_THREAD).stdout


def replace_marked(path, marker, lines):
    """Replaces what stands between <!-- marker:begin --> and
    <!-- marker:end --> in `path` with `lines`."""
    text = open(path).read()
    block = "<!-- %s:begin -->\n%s\n<!-- %s:end -->" % (marker, "\n".join(lines), marker)
    text, count = re.subn(r"<!-- %s:begin -->.*?<!-- %s:end -->" % (marker, marker),
                          lambda _: block, text, flags=re.S)
    if count != 1:
        sys.exit("%s has no <!-- %s:begin --> / <!-- %s:end --> markers" % (path, marker, marker))
    with open(path, "w") as f:
        f.write(text)
    print("wrote", path)
