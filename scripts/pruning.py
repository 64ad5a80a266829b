#!/usr/bin/python3
"""Top-1 of the example models and MNIST LeNet after `--qt-prune` at 0 / 50 /
75 / 90 / 95 / 99% sparsity (magnitude, per layer, post-training, no fine
tuning), in float32 and int8 (pruned, then `--quantize-int8` with the
committed calibration samples), with the weight bytes the prune report gives.

    /usr/bin/python3 scripts/pruning.py [--pattern unstructured|2:4|block=RxC]
                                        [--scope per-layer|global] [--docs docs/pruning.md]

MNIST needs scripts/fetch_datasets.sh and scripts/train_mnist.py --test-data-only
(build/datasets/mnist/test_*.npy); without them LeNet is skipped.
"""
import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("QOPT_BUILD_DIR", os.path.join(ROOT, "build"))
BIN = os.path.join(BUILD, "bin")
EX = os.path.join(ROOT, "examples")
SPARSITIES = (0.0, 0.5, 0.75, 0.9, 0.95, 0.99)
MODELS = [
    ("digits MLP", os.path.join(EX, "digits", "mlp.mlir"), os.path.join(EX, "digits", "calib.npz"),
     os.path.join(EX, "digits", "test_inputs.npy"), os.path.join(EX, "digits", "test_labels.npy")),
    ("digits CNN", os.path.join(EX, "digits", "cnn.mlir"), os.path.join(EX, "digits", "calib.npz"),
     os.path.join(EX, "digits", "test_inputs.npy"), os.path.join(EX, "digits", "test_labels.npy")),
    ("MNIST LeNet", os.path.join(EX, "mnist", "lenet.mlir"), os.path.join(EX, "mnist", "calib.npz"),
     os.path.join(BUILD, "datasets", "mnist", "test_inputs.npy"),
     os.path.join(BUILD, "datasets", "mnist", "test_labels.npy")),
]


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def accuracy(model, inputs, labels):
    out = run([os.path.join(BIN, "qopt-run"), model, "--inputs", inputs, "--labels", labels])
    return float(re.search(r"accuracy: ([0-9.]+)", out).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pattern", default="unstructured")
    parser.add_argument("--scope", default="per-layer", help="per-layer or global")
    parser.add_argument("--docs", help="write the table between <!-- pruning:begin/end --> "
                        "(<!-- pruning-global:begin/end --> with --scope=global)")
    args = parser.parse_args()
    lines = [
        "Measured %s by `/usr/bin/python3 scripts/pruning.py --docs docs/pruning.md`: "
        "pattern=%s, scope=%s, no fine tuning; int8 = pruned, then `--quantize-int8` "
        "(minmax, committed calibration samples). Weight bytes are the contraction weights as "
        "stored today (dense)." % (datetime.date.today().isoformat(), args.pattern, args.scope),
        "",
        "| model | sparsity | top-1 float32 | top-1 int8 | weights zero | weight bytes float32 / int8 |",
        "|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for name, model, calib, inputs, labels in MODELS:
            if not os.path.exists(inputs):
                print("skipping %s: %s is missing" % (name, inputs), file=sys.stderr)
                continue
            for s in SPARSITIES:
                pruned = os.path.join(tmp, "pruned.mlir")
                report = os.path.join(tmp, "prune.json")
                option = "pattern=%s scope=%s report=%s" % (args.pattern, args.scope, report)
                if args.pattern != "2:4":
                    option += " sparsity=%g" % s
                elif s != 0.5:
                    continue
                run([os.path.join(BIN, "qopt"), "--qt-prune=" + option, model, "-o", pruned])
                total = json.load(open(report))["total"]
                int8 = os.path.join(tmp, "int8.mlir")
                run([os.path.join(BIN, "qopt"), "--quantize-int8=data=" + calib, pruned,
                     "-o", int8])
                lines.append("| %s | %g%% | %.4f | %.4f | %.1f%% | %d / %d |" % (
                    name, 100 * s, accuracy(pruned, inputs, labels),
                    accuracy(int8, inputs, labels), 100 * total["sparsity"],
                    total["weight_bytes_stored"], total["weight_bytes_stored"] // 4))
                print(lines[-1], flush=True)
    print("\n".join(lines))
    if args.docs:
        text = open(args.docs).read()
        marker = "pruning" if args.scope == "per-layer" else "pruning-" + args.scope
        block = "<!-- %s:begin -->\n" % marker + "\n".join(lines) + "\n<!-- %s:end -->" % marker
        text, n = re.subn(r"<!-- %s:begin -->.*?<!-- %s:end -->" % (marker, marker),
                          lambda _: block, text, flags=re.S)
        if n != 1:
            sys.exit("no <!-- %s:begin --> / <!-- %s:end --> markers in %s"
                     % (marker, marker, args.docs))
        open(args.docs, "w").write(text)
        print("wrote", args.docs)


if __name__ == "__main__":
    main()
