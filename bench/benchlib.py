"""Shared by bench/gemm.py and bench/end_to_end.py: running a command on one
thread, and replacing a marked table in a Markdown file."""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("QOPT_BUILD_DIR", os.path.join(ROOT, "build"))
PEERS = os.path.join(ROOT, "bench", "peers")
ONE_THREAD = dict(os.environ, OMP_NUM_THREADS="1", QOPT_NUM_THREADS="1")


# Times `model_main` of a float model compiled by qopt (model.o + model.h):
# prints seconds per call, best of 3 runs of >= 0.2 s.
MODEL_TIMER_C = r"""
#include "model.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(void) {
  float *x = malloc(sizeof(float) * MODEL_MAIN_INPUT0_SIZE), *y = malloc(sizeof(float) * MODEL_MAIN_OUTPUT0_SIZE);
  for (long i = 0; i < MODEL_MAIN_INPUT0_SIZE; ++i) x[i] = (float)((i * 7) % 17) / 16.0f;
  model_main(x, y);
  double best = 1e30;
  for (int rep = 0; rep < 3; ++rep) {
    long iters = 1; double t;
    for (;;) { t = now(); for (long i = 0; i < iters; ++i) model_main(x, y); t = now() - t;
               if (t > 0.2) break; iters *= 2; }
    if (t / iters < best) best = t / iters;
  }
  printf("%.9g\n", best);
  return 0;
}
"""


def cpu_model():
    """The CPU's model name as the kernel reports it (for the record only)."""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown CPU"


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
