#!/usr/bin/python3
"""Train a LeNet-5 on MNIST and a small CNN on Fashion-MNIST; export as TOSA.

Run with Debian's python (needs python3-torch, python3-numpy), after
scripts/fetch_datasets.sh has put the raw IDX files in build/datasets/:

    scripts/fetch_datasets.sh && /usr/bin/python3 scripts/train_mnist.py
    /usr/bin/python3 scripts/train_mnist.py --test-data-only   # no training
    /usr/bin/python3 scripts/train_mnist.py --val [--only fashion]  # tuning run

Writes, for MNIST (examples/mnist/, model "lenet") and Fashion-MNIST
(examples/fashion/, model "cnn"):
  <model>.mlir                TOSA 1.0 MLIR text, func.func @main, batch 1,
                              tensor<1x28x28x1xf32> (NHWC) -> logits tensor<1x10xf32>
  <model>.pt                  the trained state_dict (for PyTorch PTQ comparisons)
  calib.npz                   key "arg0": float32 [500, 28, 28, 1] from the train split
  accuracy.json               {"<model>": {"float32_top1": ..}, "n_test": 10000, "n_calib": 500}
and, too big to commit, into $QOPT_BUILD_DIR/datasets/<mnist|fashion>/
(default build/datasets/):
  test_inputs.npy             float32 [10000, 28, 28, 1]   (pixels / 255)
  test_labels.npy             int32   [10000]
The test files are rewritten on every run; --test-data-only writes only them.

The model classes (LeNet, FashionCNN) take [N, 28, 28, 1] NHWC float input
(any shape with 784 values per sample works) and return logits [N, 10]; they
can be imported without training:  from train_mnist import LeNet, FashionCNN

As in train_digits.py, each exported graph is re-executed with the numpy
interpreter in scripts/tosa_writer.py on test samples and compared with torch
(max abs diff <= 1e-4), and lowered with mlir-opt (LLVM 22) if present.

Everything is seeded; rerunning reproduces the same files (same machine/torch).
"""

import argparse
import gzip
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tosa_writer import TosaWriter  # noqa: E402

SEED = 0
N_CALIB = 500
N_VAL = 10000         # held-out training images for --val
N_CHECK = 500          # test samples run through the numpy interpreter
MLIR_OPT = "/usr/lib/llvm-22/bin/mlir-opt"
LOWERING = ("builtin.module(func.func(tosa-to-linalg-named,tosa-to-linalg,"
            "tosa-to-arith,tosa-to-tensor),canonicalize)")
TOL = 1e-4
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("QOPT_BUILD_DIR", os.path.join(ROOT, "build"))


# ---------------------------------------------------------------- data
def read_idx(path):
    """Read an IDX file (raw or .gz): big-endian header, uint8 payload."""
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        path += ".gz"
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = data[0] * 256 + data[1], data[2], data[3]
    if zero != 0 or dtype_code != 0x08:
        raise ValueError("%s: not a uint8 IDX file (magic %s)" % (path, data[:4].hex()))
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    arr = np.frombuffer(data, np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        raise ValueError("%s: %d bytes of data for shape %s" % (path, arr.size, dims))
    return arr.reshape(dims)


def load_split(data_dir, split):
    """split 'train' or 't10k' -> (x float32 [N, 28, 28, 1] in [0, 1], y int32 [N])."""
    try:
        img = read_idx(os.path.join(data_dir, split + "-images-idx3-ubyte"))
        lab = read_idx(os.path.join(data_dir, split + "-labels-idx1-ubyte"))
    except FileNotFoundError as e:
        raise SystemExit("ERROR: %s\nrun scripts/fetch_datasets.sh first" % e)
    if img.shape[1:] != (28, 28) or lab.shape != img.shape[:1]:
        raise SystemExit("ERROR: %s: unexpected shapes %s / %s" % (data_dir, img.shape, lab.shape))
    x = (img.astype(np.float32) / np.float32(255.0)).reshape(-1, 28, 28, 1)
    return np.ascontiguousarray(x), lab.astype(np.int32)


def write_test_data(name, data_dir):
    """(Re)write <data_dir>/test_inputs.npy and test_labels.npy; return them."""
    x_te, y_te = load_split(data_dir, "t10k")
    np.save(os.path.join(data_dir, "test_inputs.npy"), x_te)
    np.save(os.path.join(data_dir, "test_labels.npy"), y_te)
    print("%s: wrote %s/test_inputs.npy %s, test_labels.npy" % (name, data_dir, x_te.shape))
    return x_te, y_te


# ---------------------------------------------------------------- models
class LeNet(nn.Module):
    """LeNet-5 (ReLU, max pooling): 61706 parameters."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):               # x: [N, 28, 28, 1] NHWC -> logits [N, 10]
        x = x.reshape(-1, 1, 28, 28)    # C == 1, so NHWC and NCHW hold the same order
        x = F.max_pool2d(F.relu(self.conv1(x)), 2, 2)   # 14x14x6
        x = F.max_pool2d(F.relu(self.conv2(x)), 2, 2)   # 5x5x16
        x = torch.flatten(x, 1)         # NCHW flatten: c*25 + h*5 + w
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class FashionCNN(nn.Module):
    """Two 3x3 conv blocks and one FC layer: 20490 parameters."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * 7 * 7, 10)

    def forward(self, x):               # x: [N, 28, 28, 1] NHWC -> logits [N, 10]
        x = x.reshape(-1, 1, 28, 28)
        x = F.max_pool2d(F.relu(self.conv1(x)), 2, 2)   # 14x14x16
        x = F.max_pool2d(F.relu(self.conv2(x)), 2, 2)   # 7x7x32
        x = torch.flatten(x, 1)         # NCHW flatten: c*49 + h*7 + w
        return self.fc(x)


def train(model, x_tr, y_tr, epochs, lr, batch=128, seed=SEED):
    g = torch.Generator().manual_seed(seed)
    xt = torch.from_numpy(x_tr)
    yt = torch.from_numpy(y_tr.astype(np.int64))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * ((len(xt) + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)  # per batch
    n = len(xt)
    for ep in range(epochs):
        t0 = time.time()
        model.train()
        perm = torch.randperm(n, generator=g)
        tot = 0.0
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss = F.cross_entropy(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item() * len(idx)
        print("  epoch %2d  loss %.4f  (%.0f s)" % (ep + 1, tot / n, time.time() - t0))
    model.eval()
    return model


def predict(model, x, batch=1000):
    with torch.no_grad():
        return np.concatenate([npf(model(torch.from_numpy(x[i:i + batch])))
                               for i in range(0, len(x), batch)])


def npf(t):
    return t.detach().cpu().numpy().astype(np.float32)


# ---------------------------------------------------------------- export
HEADER = """Generated by scripts/train_mnist.py -- do not edit.
%s
Trained on %s (28x28, pixels/255 in [0,1]); float32 test top-1 = %.4f (n=%d)."""


def conv_ohwi(conv):
    return npf(conv.weight).transpose(0, 2, 3, 1)   # torch [O, I, KH, KW] -> OHWI


def fc_nhwc(fc, c, h, w):
    """FC weight [N, C*H*W] (torch NCHW flatten) -> TOSA [H*W*C, N] (NHWC flatten)."""
    wt = npf(fc.weight)
    n = wt.shape[0]
    return wt.reshape(n, c, h, w).transpose(0, 2, 3, 1).reshape(n, h * w * c).T


def export_lenet(m, acc, n_test, batch=1):
    w = TosaWriter(comment=HEADER % (
        "LeNet-5: conv5x5(1->6, pad 2)+ReLU, maxpool2, conv5x5(6->16)+ReLU, maxpool2, "
        "fc(400->120)+ReLU, fc(120->84)+ReLU, fc(84->10);\n"
        "NHWC input 1x28x28x1; output: logits.", "MNIST", acc, n_test))
    x = w.arg((batch, 28, 28, 1))
    h = w.conv2d(x, conv_ohwi(m.conv1), npf(m.conv1.bias), pad=(2, 2, 2, 2), name="conv1")
    h = w.relu(h, name="conv1_relu")
    h = w.max_pool2d(h, (2, 2), (2, 2), name="pool1")        # 1x14x14x6
    h = w.conv2d(h, conv_ohwi(m.conv2), npf(m.conv2.bias), name="conv2")
    h = w.relu(h, name="conv2_relu")                          # 1x10x10x16
    h = w.max_pool2d(h, (2, 2), (2, 2), name="pool2")        # 1x5x5x16
    h = w.reshape(h, (1, batch, 400), name="flat")             # NHWC order: h*80 + w*16 + c
    h = w.relu(w.linear(h, fc_nhwc(m.fc1, 16, 5, 5), npf(m.fc1.bias), name="fc1"),
               name="fc1_relu")
    h = w.relu(w.linear(h, npf(m.fc2.weight).T, npf(m.fc2.bias), name="fc2"), name="fc2_relu")
    h = w.linear(h, npf(m.fc3.weight).T, npf(m.fc3.bias), name="fc3")
    w.ret(w.reshape(h, (batch, 10), name="logits"))
    return w


def export_fashion(m, acc, n_test, batch=1):
    w = TosaWriter(comment=HEADER % (
        "CNN: conv3x3(1->16, pad 1)+ReLU, maxpool2, conv3x3(16->32, pad 1)+ReLU, maxpool2, "
        "fc(1568->10);\n"
        "NHWC input 1x28x28x1; output: logits.", "Fashion-MNIST", acc, n_test))
    x = w.arg((batch, 28, 28, 1))
    h = w.conv2d(x, conv_ohwi(m.conv1), npf(m.conv1.bias), pad=(1, 1, 1, 1), name="conv1")
    h = w.relu(h, name="conv1_relu")
    h = w.max_pool2d(h, (2, 2), (2, 2), name="pool1")        # 1x14x14x16
    h = w.conv2d(h, conv_ohwi(m.conv2), npf(m.conv2.bias), pad=(1, 1, 1, 1), name="conv2")
    h = w.relu(h, name="conv2_relu")
    h = w.max_pool2d(h, (2, 2), (2, 2), name="pool2")        # 1x7x7x32
    h = w.reshape(h, (1, batch, 1568), name="flat")            # NHWC order: h*224 + w*32 + c
    h = w.linear(h, fc_nhwc(m.fc, 32, 7, 7), npf(m.fc.bias), name="fc")
    w.ret(w.reshape(h, (batch, 10), name="logits"))
    return w


def check_numpy(writer, x_te, expected, what):
    got = np.concatenate([writer.evaluate(x[None])[0] for x in x_te])
    err = float(np.max(np.abs(got - expected)))
    print("  numpy-interpreted %s vs torch on %d test samples: max abs diff %.3g"
          % (what, len(x_te), err))
    if not err <= TOL:
        raise SystemExit("ERROR: exported %s does not match torch (%.3g > %g)" % (what, err, TOL))


def check_mlir_opt(path, enabled):
    if not enabled:
        return
    if not os.path.exists(MLIR_OPT):
        print("  (mlir-opt not found at %s; skipping syntax check)" % MLIR_OPT)
        return
    r = subprocess.run([MLIR_OPT, path, "--pass-pipeline=" + LOWERING],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise SystemExit("ERROR: mlir-opt rejected %s:\n%s" % (path, r.stderr))
    print("  mlir-opt tosa-to-linalg: ok (%s)" % os.path.basename(path))


# (dataset, data subdir, examples subdir, model name, class, exporter, epochs, Adam lr).
# Epochs and lr were picked on a validation split (the last 10000 training
# images, held out), not on the test set: val top-1 0.9907 (LeNet), 0.9096 (CNN).
TASKS = [
    ("MNIST", "mnist", "mnist", "lenet", LeNet, export_lenet, 6, 3e-3),
    ("Fashion-MNIST", "fashion", "fashion", "cnn", FashionCNN, export_fashion, 8, 3e-3),
]


def run_task(task, args):
    pretty, data_sub, ex_sub, model_name, cls, exporter, epochs, lr = task
    data_dir = os.path.join(args.data, data_sub)
    x_te, y_te = write_test_data(pretty, data_dir)
    if args.test_data_only:
        return
    x_tr, y_tr = load_split(data_dir, "train")
    if args.val:
        return validate(task, x_tr, y_tr)
    n_test = len(x_te)
    print("%s: %d train, %d test" % (pretty, len(x_tr), n_test))
    calib_idx = np.random.RandomState(SEED).choice(len(x_tr), N_CALIB, replace=False)
    calib = np.ascontiguousarray(x_tr[calib_idx], np.float32)

    print("training %s (%d epochs)" % (cls.__name__, epochs))
    t0 = time.time()
    torch.manual_seed(SEED)
    model = train(cls(), x_tr, y_tr, epochs=epochs, lr=lr)
    print("  trained in %.0f s" % (time.time() - t0))
    logits = predict(model, x_te)
    acc = float(np.mean(logits.argmax(1) == y_te))
    print("  %s float32 test top-1: %.4f (%d/%d)"
          % (cls.__name__, acc, int(round(acc * n_test)), n_test))

    out = os.path.join(args.out_root, ex_sub)
    os.makedirs(out, exist_ok=True)
    writer = exporter(model, acc, n_test)
    print("exporting %s (%d parameters)" % (model_name, writer.param_count()))
    check_numpy(writer, x_te[:N_CHECK], logits[:N_CHECK], model_name)
    path = os.path.join(out, model_name + ".mlir")
    writer.write(path)
    check_mlir_opt(path, not args.no_mlir_opt)
    # The trained weights, for comparisons with PyTorch's own quantization.
    torch.save(model.state_dict(), os.path.join(out, model_name + ".pt"))
    # deflated: MNIST images are mostly zeros (qopt's .npz reader inflates)
    _savez_reproducible(os.path.join(out, "calib.npz"), arg0=calib)
    results = {model_name: {"float32_top1": round(acc, 6)},
               "n_test": n_test, "n_calib": N_CALIB}
    with open(os.path.join(out, "accuracy.json"), "w") as f:
        json.dump(results, f, indent=2, sort_keys=True)
        f.write("\n")
    print("wrote %s" % out)


def validate(task, x_tr, y_tr):
    """Train on the first 50000 training images, report top-1 on the last 10000."""
    pretty, _, _, _, cls, _, epochs, lr = task
    print("%s: validation run, 50000 train / 10000 held out" % pretty)
    torch.manual_seed(SEED)
    model = train(cls(), x_tr[:-N_VAL], y_tr[:-N_VAL], epochs=epochs, lr=lr)
    acc = float(np.mean(predict(model, x_tr[-N_VAL:]).argmax(1) == y_tr[-N_VAL:]))
    print("  %s validation top-1: %.4f" % (cls.__name__, acc))


# ---------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=os.path.join(BUILD, "datasets"),
                    help="folder with mnist/ and fashion/ IDX files (default: %(default)s)")
    ap.add_argument("--out-root", default=os.path.join(ROOT, "examples"),
                    help="writes <out-root>/mnist and <out-root>/fashion (default: %(default)s)")
    ap.add_argument("--only", choices=["mnist", "fashion"], help="do one dataset only")
    ap.add_argument("--test-data-only", action="store_true",
                    help="only write the test_inputs/test_labels .npy files; no training")
    ap.add_argument("--val", action="store_true",
                    help="tune: train on 50000 training images, report top-1 on the other "
                         "10000; writes nothing to examples/")
    ap.add_argument("--no-mlir-opt", action="store_true", help="skip the mlir-opt check")
    args = ap.parse_args()

    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.use_deterministic_algorithms(True)

    t0 = time.time()
    for task in TASKS:
        if args.only in (None, task[1]):
            run_task(task, args)
    print("done in %.0f s" % (time.time() - t0))


def _savez_reproducible(path, **arrays):
    """np.savez_compressed with fixed zip timestamps (reproducible bytes)."""
    import io
    import zipfile
    with zipfile.ZipFile(path, "w") as zf:
        for key, arr in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asanyarray(arr), allow_pickle=False)
            info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue(), compress_type=zipfile.ZIP_DEFLATED)


if __name__ == "__main__":
    main()
