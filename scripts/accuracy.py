#!/usr/bin/python3
"""Accuracy of qopt's quantized models next to float32 and PyTorch's own
post-training quantization, written to docs/accuracy.md.

For each bundled model: top-1 on the test split for float32 (qopt-compiled),
int8 with every calibration method (qopt, calibrated on examples/*/calib.npz),
and PyTorch 1.13 FX graph mode post-training quantization (`onednn` engine)
of the same trained weights with the same calibration samples; plus the
int8/float32 ratio of the weight bytes in the objects qopt writes.

Needs Debian's python3-torch and a built qopt (QOPT_BUILD_DIR, default build/).
Run with /usr/bin/python3 scripts/accuracy.py.
"""
import copy
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("QOPT_BUILD_DIR", os.path.join(ROOT, "build"))
QOPT = os.path.join(BUILD, "bin", "qopt")
QOPT_RUN = os.path.join(BUILD, "bin", "qopt-run")
METHODS = ["minmax", "percentile", "entropy", "mse"]

sys.path.insert(0, os.path.join(ROOT, "scripts"))
import train_digits  # noqa: E402  (model classes)
import train_mnist  # noqa: E402

DATASETS = os.path.join(BUILD, "datasets")
# name, model, calibration samples, directory with test_inputs/test_labels,
# PyTorch class, trained weights
MODELS = [
    ("digits MLP", "examples/digits/mlp.mlir", "examples/digits/calib.npz",
     "examples/digits", train_digits.MLP, "examples/digits/mlp.pt"),
    ("digits CNN", "examples/digits/cnn.mlir", "examples/digits/calib.npz",
     "examples/digits", train_digits.CNN, "examples/digits/cnn.pt"),
    ("MNIST LeNet", "examples/mnist/lenet.mlir", "examples/mnist/calib.npz",
     os.path.join(DATASETS, "mnist"), train_mnist.LeNet, "examples/mnist/lenet.pt"),
    ("Fashion-MNIST CNN", "examples/fashion/cnn.mlir", "examples/fashion/calib.npz",
     os.path.join(DATASETS, "fashion"), train_mnist.FashionCNN, "examples/fashion/cnn.pt"),
]


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def qopt_accuracy(model_mlir, data_dir, compare=None):
    cmd = [QOPT_RUN, model_mlir, "--inputs", os.path.join(data_dir, "test_inputs.npy"),
           "--labels", os.path.join(data_dir, "test_labels.npy")]
    if compare:
        cmd += ["--compare", compare]
    out = run(cmd)
    acc = float(re.search(r"accuracy: ([0-9.]+)", out).group(1))
    agree = re.search(r"top-1 agreement: ([0-9.]+)", out)
    return acc, float(agree.group(1)) if agree else None


def constant_bytes(model_mlir, extra_flags):
    """Bytes of the constant tensors (weights, biases, multipliers) the
    object will hold: the llvm.mlir.global constants after lowering."""
    out = run([QOPT] + extra_flags + ["--lower-to-llvm", model_mlir])
    sizes = {"i8": 1, "i16": 2, "f16": 2, "bf16": 2, "i32": 4, "f32": 4, "i64": 8, "f64": 8}
    total = 0
    for line in out.splitlines():
        if "llvm.mlir.global" not in line:
            continue
        m = re.search(r": tensor<([0-9x]*?)x?(i8|i16|i32|i64|f16|bf16|f32|f64)>\) ", line)
        if m:
            n = 1
            for d in filter(None, m.group(1).split("x")):
                n *= int(d)
            total += n * sizes[m.group(2)]
    return total


def pytorch_ptq(model, calib, x_test, y_test):
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    torch.backends.quantized.engine = "onednn"
    prepared = prepare_fx(copy.deepcopy(model).eval(),
                          get_default_qconfig_mapping("onednn"),
                          example_inputs=(torch.from_numpy(calib[:1]),))
    with torch.no_grad():
        for i in range(0, len(calib), 32):
            prepared(torch.from_numpy(calib[i:i + 32]))
        quantized = convert_fx(prepared)
        logits = quantized(torch.from_numpy(x_test)).numpy()
    return float(np.mean(logits.argmax(1) == y_test))


def main():
    torch.set_num_threads(2)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for title, model_rel, calib_rel, data_dir, cls, weights_rel in MODELS:
            float_mlir = os.path.join(ROOT, model_rel)
            calib_npz = os.path.join(ROOT, calib_rel)
            data_dir = os.path.join(ROOT, data_dir)
            if not os.path.exists(float_mlir):
                print("skipping %s: %s does not exist" % (title, model_rel))
                continue
            if not os.path.exists(os.path.join(data_dir, "test_inputs.npy")):
                run(["/usr/bin/python3", os.path.join(ROOT, "scripts", "train_mnist.py"),
                     "--test-data-only"])
            name = os.path.splitext(os.path.basename(model_rel))[0]
            calib = np.load(calib_npz)["arg0"]
            x_test = np.load(os.path.join(data_dir, "test_inputs.npy"))
            y_test = np.load(os.path.join(data_dir, "test_labels.npy"))
            row = {"model": title}
            row["float32"], _ = qopt_accuracy(float_mlir, data_dir)
            for method in METHODS:
                int8_mlir = os.path.join(tmp, "%s.%s.mlir" % (name, method))
                run([QOPT, "--quantize-int8=data=%s method=%s" % (calib_npz, method),
                     float_mlir, "-o", int8_mlir])
                row[method], row[method + "_agree"] = qopt_accuracy(
                    int8_mlir, data_dir, compare=float_mlir)
            for variant, flags in (("dynamic", ["--quantize-dynamic"]),
                                   ("f16", ["--quantize-f16"]),
                                   ("bf16", ["--quantize-bf16"]),
                                   ("mixed", ["--quantize-int8=data=%s float-type=f16" % calib_npz])):
                path = os.path.join(tmp, "%s.%s.mlir" % (name, variant))
                run([QOPT] + flags + [float_mlir, "-o", path])
                row[variant], row[variant + "_agree"] = qopt_accuracy(
                    path, data_dir, compare=float_mlir)
            model = cls()
            model.load_state_dict(torch.load(os.path.join(ROOT, weights_rel)))
            row["pytorch"] = pytorch_ptq(model, calib, x_test, y_test)
            row["bytes"] = {
                "float": constant_bytes(float_mlir, []),
                "int8": constant_bytes(float_mlir, ["--quantize-int8=data=" + calib_npz])}
            rows.append(row)
            print(row, flush=True)

    lines = [
        "# Accuracy",
        "",
        "Produced by `/usr/bin/python3 scripts/accuracy.py` (needs Debian's python3-torch and a",
        "built qopt). Top-1 on the test split; int8 models are calibrated on the committed",
        "calibration samples drawn from the training split; \"agree\" is the share of test samples",
        "where the int8 model's top-1 class equals the float32 model's (qopt-run --compare).",
        "PyTorch: 1.13 FX graph mode post-training quantization, `onednn` engine, default qconfig",
        "mapping, the same trained weights and the same calibration samples.",
        "",
        "| model | float32 | " + " | ".join("int8 %s (agree)" % m for m in METHODS) +
        " | PyTorch PTQ int8 | weight bytes int8 / float32 |",
        "|---|---|" + "---|" * len(METHODS) + "---|---|",
        "%ROWS%",
        "",
        "Other precisions (same test split; \"agree\" as above):",
        "",
        "| model | dynamic int8 | float16 | bfloat16 | mixed (int8 + f16, minmax) |",
        "|---|---|---|---|---|",
        "%ROWS2%",
    ]
    table, table2 = [], []
    for r in rows:
        table2.append("| %s | %s |" % (r["model"], " | ".join(
            "%.4f (%.3f)" % (r[v], r[v + "_agree"]) for v in ("dynamic", "f16", "bf16", "mixed"))))
        cells = ["%.4f" % r["float32"]]
        cells += ["%.4f (%.3f)" % (r[m], r[m + "_agree"]) for m in METHODS]
        cells.append("%.4f" % r["pytorch"])
        cells.append("%d / %d = %.3f" % (r["bytes"]["int8"], r["bytes"]["float"],
                                         r["bytes"]["int8"] / r["bytes"]["float"]))
        table.append("| %s | %s |" % (r["model"], " | ".join(cells)))
    i = lines.index("%ROWS%")
    lines[i:i + 1] = table
    i = lines.index("%ROWS2%")
    lines[i:i + 1] = table2
    lines += [
        "",
        "Weight bytes: the constant tensors the object holds (every `llvm.mlir.global` after",
        "`--lower-to-llvm`): weights, biases and, for int8, the per-channel multipliers and shifts.",
        "",
        "Models: examples/digits (scripts/train_digits.py), examples/mnist and examples/fashion",
        "(scripts/fetch_datasets.sh, then scripts/train_mnist.py; their 10,000-sample test sets",
        "live in build/datasets/). A model whose files are missing is left out of the table.",
        "",
    ]
    with open(os.path.join(ROOT, "docs", "accuracy.md"), "w") as f:
        f.write("\n".join(lines))
    print("wrote docs/accuracy.md")


if __name__ == "__main__":
    main()
