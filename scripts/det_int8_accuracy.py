#!/usr/bin/env python3
"""PP-OCRv4 det in int8 against float32 on rendered pages: the share of
pixels whose binarized probability (p > 0.3, PaddleOCR's threshold) agrees.

  /usr/bin/python3 scripts/det_int8_accuracy.py [--docs docs/accuracy.md]

Pages: scripts/bf16_accuracy.py's renderer (320x320, 3-8 text lines, det's
normalization); 8 pages (seed 5) calibrate `--quantize-int8`, 20 others
(seed 11, bf16_accuracy.py's test pages) are compared, both models run by
qopt-run. One row per calibration method. With --docs replaces the table
between `<!-- det-int8-accuracy:begin -->` / `<!-- det-int8-accuracy:end -->`.
Needs scripts/install-deps.sh --bench (models, python3-pil, fonts).
"""
import argparse
import datetime
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bf16_accuracy  # noqa: E402  (pages(), outputs(), the det model's path)
import ppocr_cls  # noqa: E402
from benchlib import cpu_model, replace_marked  # noqa: E402

CALIBRATION_PAGES = 8


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", help="Markdown file whose det-int8-accuracy table to replace")
    args = parser.parse_args()
    calib = bf16_accuracy.pages(np.random.default_rng(5), CALIBRATION_PAGES)
    test = bf16_accuracy.pages(np.random.default_rng(11), bf16_accuracy.PAGES)
    binary = lambda name: os.path.join(bf16_accuracy.BIN, name)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        j = lambda *p: os.path.join(tmp, *p)
        np.savez(j("calib.npz"), x=calib[:, None])
        np.savez(j("test.npz"), x=test[:, None])
        ppocr_cls.run([binary("qopt-translate"), "--import-onnx", bf16_accuracy.DET,
                       "--input-shape=x:1x3x320x320", "-o", j("det.mlir")])
        ppocr_cls.run([binary("qopt-run"), j("det.mlir"), "--inputs", j("test.npz"),
                       "--outputs", j("f32.npz")])
        f32 = bf16_accuracy.outputs(j("f32.npz")) > 0.3
        for method in ("minmax", "percentile", "entropy"):
            ppocr_cls.run([binary("qopt"), "--quantize-int8=data=%s method=%s"
                           % (j("calib.npz"), method), j("det.mlir"), "-o", j("int8.mlir")])
            ppocr_cls.run([binary("qopt-run"), j("int8.mlir"), "--inputs", j("test.npz"),
                           "--outputs", j("int8.npz")])
            q = bf16_accuracy.outputs(j("int8.npz")) > 0.3
            rows.append("| %s | %d pages, %d pixels (%.1f%% text in float) | %.4f (%d differ) |"
                        % (method, len(test), f32.size, 100 * f32.mean(), np.mean(q == f32),
                           int(np.sum(q != f32))))
            print(rows[-1], flush=True)
    lines = ["Measured %s on %s by `/usr/bin/python3 scripts/det_int8_accuracy.py`: "
             "`--quantize-int8` calibrated on %d rendered pages against the float32 model, "
             "both run by `qopt-run`." % (datetime.date.today().isoformat(), cpu_model(),
                                          CALIBRATION_PAGES), "",
             "| calibration | on | int8 binarized map (p > 0.3) agrees with float32 |",
             "|---|---|---|"] + rows
    print("\n".join(lines))
    if args.docs:
        replace_marked(args.docs, "det-int8-accuracy", lines)


if __name__ == "__main__":
    main()
