#!/usr/bin/env python3
"""Pruned int8 matmuls, one thread: the block-sparse kernel against the dense
int8 kernel on the same shape, in bytes and in time, measured in one run.

  /usr/bin/python3 bench/sparse.py [--docs docs/pruning.md] [--sizes 1024,4096] [--batches 1,64]

For each weight N x K (N = K = 1024 and 4096) and batch M (1 and 64), a
qt.fully_connected with random int8 weights and per-column requantization
(bench/gemm.py's layer) is pruned by `qopt --qt-prune` in each pattern and
sparsity below, then compiled by `qopt --lower-to-llvm` twice: as the cost
model decides (`sparse-weights=auto`, what users get) and forced onto the
block-sparse kernel (`sparse-weights=sparse`, to show what the model
avoided). Every timing is the best of 3 runs of >= 0.2 s, compared with the
unpruned dense kernel timed in the same run right before. Weight bytes are
the report's (`weight_bytes_stored`), checked against the object's .rodata.
Prints a Markdown table; with --docs replaces the one between the
`<!-- sparse-bench:begin -->` / `<!-- sparse-bench:end -->` markers.
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import BUILD, replace_marked, run  # noqa: E402
from gemm import TIMER_C, qopt_gemm_mlir  # noqa: E402

# (pattern, sparsity): None = not pruned.
CONFIGS = [("block=16x4", s) for s in (0.25, 0.5, 0.75, 0.9, 0.95, 0.99)] + [
    ("block=1x16", 0.9), ("unstructured", 0.9), ("2:4", None)]


def rodata_bytes(obj):
    out = run(["size", "-A", obj])
    return sum(int(line.split()[1]) for line in out.splitlines()
               if line.startswith(".rodata"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", help="Markdown file whose sparse-bench table to replace")
    parser.add_argument("--sizes", default="1024,4096")
    parser.add_argument("--batches", default="1,64")
    args = parser.parse_args()
    qopt = os.path.join(BUILD, "bin", "qopt")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        def build(d, source, prune, sparse_weights):
            """Compiles `source` pruned by `prune` (qt-prune options or None);
            returns (timer path, report or None)."""
            os.makedirs(d, exist_ok=True)
            cmd = [qopt]
            report = None
            if prune:
                report = os.path.join(d, "prune.json")
                cmd.append("--qt-prune=%s report=%s" % (prune, report))
            cmd += ["--lower-to-llvm=sparse-weights=" + sparse_weights, source,
                    "-o", os.path.join(d, "gemm.o")]
            subprocess.run(cmd, check=True, capture_output=True)
            with open(os.path.join(d, "timer.c"), "w") as f:
                f.write(TIMER_C)
            run(["cc", "-O2", "-I" + d, os.path.join(d, "timer.c"), os.path.join(d, "gemm.o"),
                 "-o", os.path.join(d, "timer")])
            data = json.load(open(report)) if report else None
            return os.path.join(d, "timer"), data, rodata_bytes(os.path.join(d, "gemm.o"))

        def rate(timer):
            return float(run([timer]))

        for n in map(int, args.sizes.split(",")):
            for m in map(int, args.batches.split(",")):
                base = os.path.join(tmp, "%dx%d" % (m, n))
                os.makedirs(base)
                source = os.path.join(base, "gemm.mlir")
                with open(source, "w") as f:
                    f.write(qopt_gemm_mlir(m, n, n))
                dense_timer, _, dense_rodata = build(os.path.join(base, "dense"), source,
                                                     None, "dense")
                dense_bytes = n * n
                for pattern, sparsity in CONFIGS:
                    prune = "pattern=" + pattern + (
                        " sparsity=%g" % sparsity if sparsity is not None else "")
                    tag = pattern.replace("=", "").replace(":", "of") + "-%s" % sparsity
                    auto_timer, report, auto_rodata = build(
                        os.path.join(base, tag + "-auto"), source, prune, "auto")
                    layer = report["layers"][0]
                    forced_timer = auto_timer
                    if layer["storage"] != "block-sparse":
                        forced_timer, _, _ = build(os.path.join(base, tag + "-sparse"),
                                                   source, prune, "sparse")
                    # Interleaved with the dense baseline: a slow phase of the
                    # machine hits both.
                    best = {"dense": 0.0, "auto": 0.0, "sparse": 0.0}
                    for _ in range(2):
                        best["dense"] = max(best["dense"], rate(dense_timer))
                        best["auto"] = max(best["auto"], rate(auto_timer))
                        best["sparse"] = max(best["sparse"], rate(forced_timer))
                    row = dict(
                        m=m, n=n, pattern=pattern, sparsity=layer["sparsity"],
                        storage=layer["storage"],
                        bytes=layer["weight_bytes_stored"] / dense_bytes,
                        rodata=auto_rodata / dense_rodata,
                        auto=best["auto"] / best["dense"],
                        sparse=best["sparse"] / best["dense"],
                        dense_us=1e6 / best["dense"])
                    rows.append(row)
                    print("%4d x %4d x %4d %-12s %5.1f%%: %-12s bytes %.3fx (object %.3fx), "
                          "speed auto %.2fx, forced sparse %.2fx (dense %.1f us)"
                          % (m, n, n, pattern, 100 * row["sparsity"], row["storage"],
                             row["bytes"], row["rodata"], row["auto"], row["sparse"],
                             row["dense_us"]), flush=True)
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                if l.startswith("model name")), "unknown CPU")
    table = [
        "Measured %s by `/usr/bin/python3 bench/sparse.py --docs docs/pruning.md` on %s, one"
        % (datetime.date.today().isoformat(), cpu),
        "thread, AVX-512 VNNI kernels. Speed is calls per second relative to the dense int8 "
        "kernel on the",
        "unpruned weight, timed in the same run (> 1: faster); bytes are the stored weight "
        "bytes over the",
        "dense int8 weight (the whole object's constant data in parentheses).",
        "",
        "| M | N = K | pattern | sparsity | storage (auto) | weight bytes | speed (auto) "
        "| speed (forced block-sparse) | dense µs/call |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        table.append("| %d | %d | %s | %.1f%% | %s | %.3f× (%.3f×) | %.2f× | %.2f× | %.1f |" % (
            r["m"], r["n"], r["pattern"], 100 * r["sparsity"], r["storage"], r["bytes"],
            r["rodata"], r["auto"], r["sparse"], r["dense_us"]))
    print("\n".join(table))
    if args.docs:
        replace_marked(args.docs, "sparse-bench", table)


if __name__ == "__main__":
    main()
