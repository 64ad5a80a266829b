#!/usr/bin/python3
"""Top-1 of the example models and MNIST LeNet after `--qt-prune` at 0 / 50 /
75 / 90 / 95 / 99% sparsity (magnitude, per layer, post-training, no fine
tuning), in float32 and int8 (pruned, then `--quantize-int8` with the
committed calibration samples); for each, the constant bytes of the object
`qopt --lower-to-llvm` writes (weights stored dense or block-sparse as the
cost model decides, plus biases and kernel tables) and its latency at batch
1 (one thread, best of 3 runs of >= 0.2 s). Layers a block pattern does not
divide are excluded (kept dense) and counted in the note.

    /usr/bin/python3 scripts/pruning.py [--pattern unstructured|2:4|block=RxC|kernel]
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
sys.path.insert(0, os.path.join(ROOT, "bench"))
from benchlib import MODEL_TIMER_C  # noqa: E402
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


def prune(model, option, out):
    """Runs --qt-prune; layers the block pattern does not divide are excluded
    (their locations, from the errors) and pruning is retried. Returns the
    number excluded."""
    excluded = []
    while True:
        opts = option + "".join(" exclude=" + e for e in excluded)
        r = subprocess.run([os.path.join(BIN, "qopt"), "--qt-prune=" + opts, model, "-o", out],
                           capture_output=True, text=True)
        if r.returncode == 0:
            return len(excluded)
        bad = re.findall(r"^(\S+:\d+:\d+): error: qt-prune: pattern=block=\S+ does not divide",
                         r.stderr, flags=re.M)
        bad = [b for b in dict.fromkeys(bad) if b not in excluded]
        if not bad:
            sys.exit(r.stderr)
        excluded += bad


def object_stats(model, quantize, tmp):
    """Constant bytes and seconds per call of `model` compiled to an object."""
    d = tempfile.mkdtemp(dir=tmp)
    obj = os.path.join(d, "model.o")
    run([os.path.join(BIN, "qopt")] + quantize + ["--lower-to-llvm", model, "-o", obj])
    sizes = run(["size", "-A", obj])
    rodata = sum(int(l.split()[1]) for l in sizes.splitlines() if l.startswith(".rodata"))
    with open(os.path.join(d, "timer.c"), "w") as f:
        f.write(MODEL_TIMER_C)
    run(["cc", "-O2", "-I" + d, os.path.join(d, "timer.c"), obj, "-lm", "-o",
         os.path.join(d, "timer")])
    return rodata, float(run([os.path.join(d, "timer")]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pattern", default="unstructured")
    parser.add_argument("--scope", default="per-layer", help="per-layer or global")
    parser.add_argument("--docs", help="write the table between <!-- MARKER:begin/end -->")
    parser.add_argument("--marker", help="default: pruning, pruning-global with "
                        "--scope=global, pruning-kernel with --pattern=kernel")
    args = parser.parse_args()
    lines = [
        "Measured %s by `/usr/bin/python3 scripts/pruning.py --docs docs/pruning.md`: "
        "pattern=%s, scope=%s, no fine tuning; int8 = pruned, then `--quantize-int8` "
        "(minmax, committed calibration samples). Object bytes: the constant data of the object "
        "`--lower-to-llvm` writes (weights dense or block-sparse as the cost model decides, "
        "biases, kernel tables); latency: one call at batch 1, one thread."
        % (datetime.date.today().isoformat(), args.pattern, args.scope),
        "",
        "| model | sparsity | top-1 float32 | top-1 int8 | weights zero "
        "| object bytes float32 / int8 | latency float32 / int8 (µs) |",
        "|---|---|---|---|---|---|---|",
    ]
    excluded_note = {}
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
                excluded = prune(model, option, pruned)
                if excluded:
                    excluded_note[name] = excluded
                total = json.load(open(report))["total"]
                int8 = os.path.join(tmp, "int8.mlir")
                run([os.path.join(BIN, "qopt"), "--quantize-int8=data=" + calib, pruned,
                     "-o", int8])
                fbytes, ftime = object_stats(pruned, [], tmp)
                ibytes, itime = object_stats(pruned, ["--quantize-int8=data=" + calib], tmp)
                lines.append("| %s | %g%% | %.4f | %.4f | %.1f%% | %d / %d | %.2f / %.2f |" % (
                    name, 100 * s, accuracy(pruned, inputs, labels),
                    accuracy(int8, inputs, labels), 100 * total["sparsity"],
                    fbytes, ibytes, 1e6 * ftime, 1e6 * itime))
                print(lines[-1], flush=True)
    if excluded_note:
        lines += ["", "Kept dense because %s does not divide their weights: %s." % (
            args.pattern, ", ".join("%d layer%s of the %s" % (n, "s" if n > 1 else "", m)
                                    for m, n in excluded_note.items()))]
    print("\n".join(lines))
    if args.docs:
        text = open(args.docs).read()
        marker = args.marker or (
            "pruning-kernel" if args.pattern == "kernel"
            else "pruning" if args.scope == "per-layer" else "pruning-" + args.scope)
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
