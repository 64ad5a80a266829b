#!/usr/bin/env python3
"""bf16 against float32 on real models: PP-OCR cls decisions on rendered text
lines and PP-OCRv4 det's binarized probability map on rendered pages.

  /usr/bin/python3 scripts/bf16_accuracy.py [--docs docs/accuracy.md]

cls: the 1000 held-out lines of scripts/ppocr_cls.py (same renderer and
seed), float32 and `--quantize-bf16` objects run by qopt-run; the share of
lines whose top-1 decision (upright / flipped) agrees. det: 20 pages of
320x320 with 3-8 rendered text lines each (PaddleOCR's det normalization),
the share of pixels whose binarized probability (p > 0.3, PaddleOCR's
threshold) agrees, and how many pixels the float map marks as text. On a host
with AMX-BF16 the bf16 model's contractions run on tdpbf16ps tiles (as in
every process qopt-run starts there), elsewhere on the float32 kernels over
the widened input: the same bf16 rounding either way. With --docs replaces
the table between `<!-- bf16-accuracy:begin -->` / `<!-- bf16-accuracy:end -->`.
Needs scripts/install-deps.sh --bench (models, python3-pil, fonts).
"""
import argparse
import datetime
import os
import sys
import tempfile

import numpy as np
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "bench"))
import ppocr_cls  # noqa: E402  (its renderer, fonts, model path and run())
from benchlib import cpu_model, replace_marked  # noqa: E402

BIN = ppocr_cls.BIN
ASSETS = os.path.dirname(ppocr_cls.MODEL)
DET = os.path.join(ASSETS, "ch_PP-OCRv4_det_infer.onnx")
PAGES = 20


def pages(rng, count):
    """320x320 pages with a few text lines, normalized as PaddleOCR's det does."""
    out = []
    for i in range(count):
        img = Image.new("RGB", (320, 320), tuple(int(v) for v in rng.integers(200, 256, 3)))
        draw = ImageDraw.Draw(img)
        y = int(rng.integers(4, 20))
        for _ in range(int(rng.integers(3, 9))):
            size = int(rng.integers(14, 30))
            font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/" +
                                      ppocr_cls.FONTS[int(rng.integers(len(ppocr_cls.FONTS)))],
                                      size)
            text = " ".join(rng.choice(ppocr_cls.WORDS, size=rng.integers(2, 5)))
            draw.text((int(rng.integers(2, 60)), y), text, font=font,
                      fill=tuple(int(v) for v in rng.integers(0, 80, 3)))
            y += size + int(rng.integers(6, 20))
            if y > 300:
                break
        x = np.asarray(img, np.float32)[:, :, ::-1] / 255  # BGR, as OpenCV reads
        x = (x - np.array([0.485, 0.456, 0.406], np.float32)) / np.array([0.229, 0.224, 0.225],
                                                                          np.float32)
        out.append(x.transpose(2, 0, 1))
    return np.stack(out).astype(np.float32)


def outputs(path):
    d = np.load(path)
    return d[list(d.keys())[0]]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", help="Markdown file whose bf16-accuracy table to replace")
    args = parser.parse_args()
    rng = np.random.default_rng(2024)
    ppocr_cls.render(rng, 100)  # the calibration lines of ppocr_cls.py, skipped
    test, _ = ppocr_cls.render(rng, ppocr_cls.TEST_LINES)
    det_in = pages(np.random.default_rng(11), PAGES)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        j = lambda *p: os.path.join(tmp, *p)
        np.savez(j("cls.npz"), x=test[:, None])
        np.savez(j("det.npz"), x=det_in[:, None])
        for name, model, shape, data in (("cls", ppocr_cls.MODEL, "x:1x3x48x192", "cls.npz"),
                                         ("det", DET, "x:1x3x320x320", "det.npz")):
            ppocr_cls.run([os.path.join(BIN, "qopt-translate"), "--import-onnx", model,
                 "--input-shape=" + shape, "-o", j(name + ".mlir")])
            ppocr_cls.run([os.path.join(BIN, "qopt"), "--quantize-bf16", j(name + ".mlir"), "-o",
                 j(name + ".bf16.mlir")])
            for variant in ("", ".bf16"):
                ppocr_cls.run([os.path.join(BIN, "qopt-run"), j(name + variant + ".mlir"), "--inputs",
                     j(data), "--outputs", j(name + variant + ".out.npz")])
            f32 = outputs(j(name + ".out.npz"))
            b16 = outputs(j(name + ".bf16.out.npz"))
            if name == "cls":
                f32, b16 = f32.reshape(-1, 2), b16.reshape(-1, 2)
                agree = np.mean(f32.argmax(1) == b16.argmax(1))
                rows.append("| PP-OCR cls | top-1 decision (upright / flipped) | %d text lines "
                            "| %.4f (%d differ) | max abs difference of the probabilities %.3g |"
                            % (len(f32), agree, int(np.sum(f32.argmax(1) != b16.argmax(1))),
                               np.abs(f32 - b16).max()))
            else:
                mf, mb = f32 > 0.3, b16 > 0.3
                agree = np.mean(mf == mb)
                rows.append("| PP-OCRv4 det | binarized map (p > 0.3) | %d pages, %d pixels "
                            "(%.1f%% text in float) | %.4f (%d differ) | max abs difference of "
                            "p %.3g |" % (PAGES, mf.size, 100 * mf.mean(), agree,
                                          int(np.sum(mf != mb)), np.abs(f32 - b16).max()))
            print(rows[-1], flush=True)
    lines = ["Measured %s on %s by `/usr/bin/python3 scripts/bf16_accuracy.py`: "
             "`--quantize-bf16` against the float32 model, both run by `qopt-run`."
             % (datetime.date.today().isoformat(), cpu_model()), "",
             "| model | compared | on | bf16 agrees with float32 | note |",
             "|---|---|---|---|---|"] + rows
    print("\n".join(lines))
    if args.docs:
        replace_marked(args.docs, "bf16-accuracy", lines)


if __name__ == "__main__":
    main()
