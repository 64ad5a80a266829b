#!/usr/bin/env python3
"""End to end, one thread: the example models compiled by qopt in float32
and in int8, against ONNX Runtime running the float ONNX export of the same
trained PyTorch model, at batch 1 and batch 64; plus qopt's compile times.

  /usr/bin/python3 bench/end_to_end.py [--docs docs/performance.md]

Models: the bundled digits MLP and CNN and the MNIST LeNet (examples/; batch
64 variants are exported from the same weights by the training scripts'
exporters). int8 is `--quantize-int8=data=<committed calibration samples>`.
Times are per sample, best of 3 runs of >= 0.2 s each, interleaved; ONNX
Runtime's per-call overhead (a trivial model with the same input and output,
measured in the same run) is subtracted, which favours it. Compile time is
one `qopt ... -o model.o` run (float; int8 including calibration).
With --docs, replaces the table between `<!-- e2e:begin -->` and
`<!-- e2e:end -->`. Needs what bench/gemm.py needs plus python3-torch.
"""
import argparse
import datetime
import os
import sys
import tempfile
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import BUILD, MODEL_TIMER_C, PEERS, ROOT, replace_marked, run  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, "scripts"))
import train_digits  # noqa: E402
import train_mnist  # noqa: E402

# title, module, model class, export function, example dir, stem, input shape per sample
MODELS = [
    ("digits MLP", train_digits, "MLP", "export_mlp", "digits", "mlp", (64,)),
    ("digits CNN", train_digits, "CNN", "export_cnn", "digits", "cnn", (8, 8, 1)),
    ("MNIST LeNet", train_mnist, "LeNet", "export_lenet", "mnist", "lenet", (28, 28, 1)),
]




class WithSoftmax(torch.nn.Module):
    """The digits MLP's qopt model ends in softmax; so does its ONNX export."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return torch.softmax(self.model(x), dim=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs")
    args = parser.parse_args()
    torch.set_num_threads(1)
    qopt = os.path.join(BUILD, "bin", "qopt")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for title, module, cls, export, example, stem, shape in MODELS:
            weights = os.path.join(ROOT, "examples", example, stem + ".pt")
            if not os.path.exists(weights):
                print("skipping %s: %s is missing" % (title, weights))
                continue
            model = getattr(module, cls)()
            model.load_state_dict(torch.load(weights))
            model.eval()
            calib = os.path.join(ROOT, "examples", example, "calib.npz")
            for batch in (1, 64):
                d = os.path.join(tmp, "%s-%d" % (stem, batch))
                os.makedirs(d)
                mlir = os.path.join(d, "model.mlir")
                with open(mlir, "w") as f:
                    f.write(getattr(module, export)(model, 0.0, 0, batch=batch).text())
                # Calibration samples grouped into batches of the model's input.
                samples = np.load(calib)["arg0"]
                batch_calib = os.path.join(d, "calib.npz")
                usable = len(samples) // batch * batch
                np.savez(batch_calib, arg0=samples[:usable].reshape((-1, batch) + shape))
                row = {"model": title, "batch": batch}
                for variant, flags in (("float", []),
                                       ("int8", ["--quantize-int8=data=" + batch_calib])):
                    vd = os.path.join(d, variant)
                    os.makedirs(vd)
                    start = time.perf_counter()
                    run([qopt] + flags + ["--lower-to-llvm", mlir, "-o",
                                          os.path.join(vd, "model.o")])
                    row[variant + "_compile"] = time.perf_counter() - start
                    with open(os.path.join(vd, "timer.c"), "w") as f:
                        f.write(MODEL_TIMER_C)
                    run(["cc", "-O2", "-I" + vd, os.path.join(vd, "timer.c"),
                         os.path.join(vd, "model.o"), "-lm", "-o", os.path.join(vd, "timer")])
                # ONNX Runtime on the float model, and a trivial model of the same interface.
                net = WithSoftmax(model) if stem == "mlp" else model
                example_in = torch.rand((batch,) + shape)
                onnx_path = os.path.join(d, "model.onnx")
                torch.onnx.export(net, example_in, onnx_path, opset_version=13,
                                  input_names=["x"], output_names=["y"])
                trivial = os.path.join(d, "trivial.onnx")
                torch.onnx.export(Trivial(batch), example_in, trivial, opset_version=13,
                                  input_names=["x"], output_names=["y"])
                best = {"float": 1e30, "int8": 1e30, "ort": 1e30, "ort_raw": 1e30}
                for _ in range(2):
                    for variant in ("float", "int8"):
                        t = float(run([os.path.join(d, variant, "timer")]))
                        best[variant] = min(best[variant], t / batch)
                    node = ["node", os.path.join(PEERS, "ort_run.js")]
                    t_ort = float(run(node + [onnx_path]))
                    t_triv = float(run(node + [trivial]))
                    best["ort_raw"] = min(best["ort_raw"], t_ort / batch)
                    best["ort"] = min(best["ort"], max(t_ort - t_triv, 0.0) / batch)
                row.update(best)
                rows.append(row)
                print("%-12s batch %2d: qopt float32 %8.2f us, int8 %8.2f us (%.1fx), "
                      "ONNX Runtime float32 %8.2f us per call / %8.2f us without its overhead; "
                      "compile %.2f s / %.2f s"
                      % (title, batch, 1e6 * row["float"], 1e6 * row["int8"],
                         row["float"] / row["int8"], 1e6 * row["ort_raw"], 1e6 * row["ort"],
                         row["float_compile"], row["int8_compile"]), flush=True)
    table = [
        "Measured %s by `/usr/bin/python3 bench/end_to_end.py --docs docs/performance.md`, one"
        % datetime.date.today().isoformat(),
        "thread, time per sample. ONNX Runtime: per call as an application sees it, and with the",
        "per-call overhead of a trivial model (same input and output) subtracted; \"—\" where",
        "the model's own time is below that overhead's noise.",
        "",
        "| model | batch | qopt float32 | qopt int8 | int8 vs float32 | ONNX Runtime float32 "
        "(per call / overhead subtracted) | int8 vs ONNX Runtime (per call / subtracted) "
        "| compile float32 / int8 (incl. calibration) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        sub = "%.2f µs" % (1e6 * r["ort"]) if r["ort"] > 0.05 * r["ort_raw"] else "—"
        sub_ratio = "%.1f×" % (r["ort"] / r["int8"]) if sub != "—" else "—"
        table.append("| %s | %d | %.2f µs | %.2f µs | %.1f× | %.2f µs / %s | %.1f× / %s "
                     "| %.2f s / %.2f s |" % (
                         r["model"], r["batch"], 1e6 * r["float"], 1e6 * r["int8"],
                         r["float"] / r["int8"], 1e6 * r["ort_raw"], sub,
                         r["ort_raw"] / r["int8"], sub_ratio, r["float_compile"],
                         r["int8_compile"]))
    print("\n".join(table))
    if args.docs:
        replace_marked(args.docs, "e2e", table)


class Trivial(torch.nn.Module):
    """Same input and output shapes as the models, (almost) no work."""

    def __init__(self, batch):
        super().__init__()
        self.batch = batch

    def forward(self, x):
        return x.reshape(self.batch, -1)[:, :10] * 1.0


if __name__ == "__main__":
    main()
