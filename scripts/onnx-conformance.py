#!/usr/bin/env python3
"""ONNX's own single-op test cases (Debian libonnx-testdata, 1,072 models
with inputs and expected outputs) through qopt: import with
`qopt-translate --import-onnx`, run with `qopt-run`, compare every output
(float: rtol 1e-3 / atol 1e-5; integers exact). Prints passed / total per op
type of the importer's op registry (`qopt-translate --list-onnx-ops`: the
opsets and family of each), how many cases of other op types there are,
and with --docs writes the table.

  /usr/bin/python3 scripts/onnx-conformance.py [--docs docs/onnx-coverage.md]
                                               [--ops Conv,Relu,...]

Needs a built qopt and Debian's python3-onnx and libonnx-testdata.
"""
import argparse
import collections
import datetime
import glob
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("QOPT_BUILD_DIR", os.path.join(ROOT, "build"))
DATA = "/usr/share/libonnx-testdata/data/node"


def registry():
    """The importer's op registry: op type -> (first opset, last opset, family)."""
    out = subprocess.run([os.path.join(BUILD, "bin", "qopt-translate"), "--list-onnx-ops"],
                         check=True, capture_output=True, text=True).stdout
    ops = {}
    for line in out.splitlines():
        op, first, last, family = line.split()
        ops[op] = (int(first), int(last), family)
    return ops


def main_op(model):
    """The op a case tests: its first node that is not a Constant."""
    ops = [n.op_type for n in model.graph.node if n.op_type != "Constant"]
    return ops[0] if ops else "Constant"


def read_tensor(path):
    t = onnx.TensorProto()
    t.ParseFromString(open(path, "rb").read())
    return numpy_helper.to_array(t)


def run_case(case, tmp):
    """Returns (op type, status, detail); status: pass, fail, import, run.

    qopt compiles models with static weights: every graph input after the
    first (weights, biases, shapes, axes, bounds) becomes an initializer
    holding the case's data, so that a case with several data sets is run
    once per set."""
    model = onnx.load(os.path.join(case, "model.onnx"))
    op = main_op(model)
    sets = sorted(glob.glob(os.path.join(case, "test_data_set_*")))
    if not sets:
        return op, "skip", "no data"
    inits = {i.name for i in model.graph.initializer}
    in_names = [i.name for i in model.graph.input if i.name not in inits]
    out_names = [o.name for o in model.graph.output]
    mlir = os.path.join(tmp, "model.mlir")
    off_by_one = values = 0
    for ds in sets:
        frozen = onnx.ModelProto()
        frozen.CopyFrom(model)
        keep = in_names[:1]
        for k, name in enumerate(in_names[1:], start=1):
            frozen.graph.initializer.append(
                numpy_helper.from_array(read_tensor(os.path.join(ds, "input_%d.pb" % k)), name))
        # Before IR version 4 every initializer is also listed as an input.
        if model.ir_version >= 4:
            del frozen.graph.input[:]
            frozen.graph.input.extend(i for i in model.graph.input if i.name in keep)
        path = os.path.join(tmp, "model.onnx")
        onnx.save(frozen, path)
        r = subprocess.run([os.path.join(BUILD, "bin", "qopt-translate"), "--import-onnx",
                            path, "-o", mlir], capture_output=True, text=True)
        if r.returncode != 0:
            msg = r.stderr.strip().splitlines()[0] if r.stderr else ""
            return op, "import", msg.split("error: ", 1)[-1]
        # QLinearConv / QLinearMatMul run on qopt's int8 kernels (the import
        # quantized with the file's parameters); ONNX requantizes through
        # float, qopt in fixed point, so their outputs may differ by 1.
        requantizes = op in ("QLinearConv", "QLinearMatMul")
        if requantizes:
            r = subprocess.run([os.path.join(BUILD, "bin", "qopt"), "--quantize-int8", mlir,
                                "-o", mlir], capture_output=True, text=True)
            if r.returncode != 0:
                return op, "run", r.stderr.strip().splitlines()[0] if r.stderr else ""
        inputs = {}
        for k, name in enumerate(keep):
            inputs[name] = read_tensor(os.path.join(ds, "input_%d.pb" % k))[None]  # one sample
        npz = os.path.join(tmp, "in.npz")
        np.savez(npz, **inputs)
        out = os.path.join(tmp, "out.npz")
        r = subprocess.run([os.path.join(BUILD, "bin", "qopt-run"), mlir, "--inputs", npz,
                            "--outputs", out], capture_output=True, text=True)
        if r.returncode != 0:
            return op, "run", r.stderr.strip().splitlines()[0] if r.stderr else ""
        got = np.load(out)
        for k, name in enumerate(out_names):
            want = read_tensor(os.path.join(ds, "output_%d.pb" % k))
            have = got[name].reshape(want.shape)
            if want.dtype.kind == "f":
                ok = np.allclose(have, want, rtol=1e-3, atol=1e-5)
            elif requantizes:
                diff = np.abs(have.astype(np.int64) - want.astype(np.int64))
                ok = diff.max() <= 1
                off_by_one += int((diff == 1).sum())
                values += diff.size
            else:
                ok = np.array_equal(have, want)
            if not ok:
                return op, "fail", "output %s differs (max abs %.3g)" % (
                    name, float(np.abs(have.astype(np.float64) - want).max()))
    if values:
        return op, "pass", "int8 kernels: %d of %d values differ by 1" % (off_by_one, values)
    return op, "pass", ""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs")
    parser.add_argument("--ops", help="only cases of these op types")
    args = parser.parse_args()
    wanted = set(args.ops.split(",")) if args.ops else None
    ops = registry()
    results = collections.defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        for case in sorted(glob.glob(os.path.join(DATA, "test_*"))):
            model = onnx.load(os.path.join(case, "model.onnx"))
            op = main_op(model)
            if wanted and op not in wanted:
                continue
            if any(n.op_type not in ops for n in model.graph.node):
                results[op].append((os.path.basename(case), "unsupported", ""))
                continue
            op, status, detail = run_case(case, tmp)
            results[op].append((os.path.basename(case), status, detail))
            if status != "pass":
                print("%-45s %-7s %s" % (os.path.basename(case), status, detail), flush=True)
    lines = ["| op | passed / cases | opsets | family | not passing (why) |",
             "|---|---|---|---|---|"]
    total = passed = 0
    for op in sorted(ops):
        if wanted and op not in wanted:
            continue
        first, last, family = ops[op]
        cases = [c for c in results[op] if c[1] != "unsupported"]
        if not cases:
            lines.append("| %s | — | %d–%d | %s | no single-op case in the data |"
                         % (op, first, last, family))
            continue
        ok = sum(1 for _, s, _ in cases if s == "pass")
        total += len(cases)
        passed += ok
        bad = ", ".join("%s (%s)" % (c, s) for c, s, _ in cases if s != "pass")
        notes = "; ".join("%s: %s" % (c, d) for c, s, d in cases if s == "pass" and d)
        if notes:
            bad = (bad + "; " if bad else "") + "passed with " + notes
        lines.append("| %s | %d / %d | %d–%d | %s | %s |"
                     % (op, ok, len(cases), first, last, family, bad))
    other = sum(1 for c in results.values() for _, s, _ in c if s == "unsupported")
    print("\n".join(lines))
    print("supported op types: %d / %d cases pass; %d cases of other op types are not "
          "imported yet" % (passed, total, other))
    if args.docs:
        with open(args.docs, "w") as f:
            f.write("# ONNX conformance\n\nProduced by `/usr/bin/python3 scripts/onnx-conformance.py "
                    "--docs %s` on %s: ONNX's own single-op test cases (Debian `libonnx-testdata`, "
                    "ONNX 1.12) imported with `qopt-translate --import-onnx`, run with `qopt-run`, "
                    "outputs compared (float: rtol 1e-3, atol 1e-5; integers exact). qopt compiles "
                    "models with static weights, so every graph input after the first (weights, "
                    "shapes, axes, bounds) is given to it as an initializer holding the case's "
                    "data. The op types, their opsets and their families (the importer's source "
                    "files) are the importer's op registry (`qopt-translate --list-onnx-ops`, "
                    "lib/Import/OpRegistry.cpp); family `graph`: folded at import. Status "
                    "`import`: the importer rejects the case (an attribute or form it does not "
                    "support yet, or a non-float tensor); `run`: it does not compile or run; "
                    "`fail`: wrong values.\n\n" % (args.docs, datetime.date.today().isoformat()))
            f.write("\n".join(lines) + "\n\n")
            f.write("Supported op types: **%d / %d** cases pass. %d cases of op types the importer "
                    "does not handle yet (or that use one inside) are not listed.\n" % (passed, total, other))
        print("wrote", args.docs)


if __name__ == "__main__":
    main()
