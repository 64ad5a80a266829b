#!/usr/bin/python3
"""Quantization-aware training with PyTorch 1.13, exported as a QDQ ONNX
model, compiled by qopt with the file's scales (no calibration), and compared
with PyTorch's own quantized model on the 10,000 MNIST test images.

    scripts/fetch_datasets.sh && /usr/bin/python3 scripts/qat_mnist.py [--docs docs/onnx-import.md]

Starts from the trained float LeNet (examples/mnist/lenet.pt), fuses
conv + ReLU, fine-tunes one epoch with fake quantization (onednn
qconfig: uint8 activations per tensor, int8 weights per channel), converts
and exports ONNX opset 13 at batch 1 (QuantizeLinear / DequantizeLinear
around every op). Writes examples/mnist/lenet_qat.onnx and, for the CI test
(test/Integration/Import/qat-lenet.test), examples/mnist/qat_check.npz: 200
test images and PyTorch's quantized outputs for them.

Reports top-1 of the float model, PyTorch's int8 model and qopt's int8
object, the argmax agreement of qopt with PyTorch, and how far apart their
output integers are (the output is uint8 with PyTorch's scale: q = y / s + z).
"""

import argparse
import datetime
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.ao.quantization as tq
import torch.nn as nn
import torch.nn.functional as F

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_mnist import BUILD, ROOT, LeNet, load_split, predict, train  # noqa: E402

BIN = os.path.join(BUILD, "bin")
EXAMPLE = os.path.join(ROOT, "examples", "mnist")
N_CHECK = 200


class QATLeNet(nn.Module):
    """LeNet with quantization stubs; NCHW input [N, 1, 28, 28]."""

    def __init__(self, lenet):
        super().__init__()
        self.quant = tq.QuantStub()
        self.conv1, self.relu1 = lenet.conv1, nn.ReLU()
        self.conv2, self.relu2 = lenet.conv2, nn.ReLU()
        self.fc1, self.relu3 = lenet.fc1, nn.ReLU()
        self.fc2, self.relu4 = lenet.fc2, nn.ReLU()
        self.fc3 = lenet.fc3
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        x = self.quant(x.reshape(-1, 1, 28, 28))
        x = F.max_pool2d(self.relu1(self.conv1(x)), 2, 2)
        x = F.max_pool2d(self.relu2(self.conv2(x)), 2, 2)
        x = torch.flatten(x, 1)
        x = self.relu4(self.fc2(self.relu3(self.fc1(x))))
        return self.dequant(self.fc3(x))


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", help="write the results between <!-- qat:begin/end --> here")
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.backends.quantized.engine = "onednn"
    data = os.path.join(BUILD, "datasets", "mnist")
    x_tr, y_tr = load_split(data, "train")
    x_te, y_te = load_split(data, "t10k")

    lenet = LeNet()
    lenet.load_state_dict(torch.load(os.path.join(EXAMPLE, "lenet.pt")))
    lenet.eval()
    float_top1 = float(np.mean(predict(lenet, x_te).argmax(1) == y_te))

    model = QATLeNet(lenet)
    model.train()
    model.qconfig = tq.get_default_qat_qconfig("onednn")
    # PyTorch 1.13 cannot export quantized::linear_relu, so only the
    # convolutions absorb their ReLU.
    tq.fuse_modules_qat(model, [["conv1", "relu1"], ["conv2", "relu2"]], inplace=True)
    tq.prepare_qat(model, inplace=True)
    train(model, x_tr, y_tr, epochs=1, lr=1e-4)
    model.eval()
    qmodel = tq.convert(model)
    torch_out = predict(qmodel, x_te)
    torch_top1 = float(np.mean(torch_out.argmax(1) == y_te))
    out_scale = float(qmodel.fc3.scale)
    out_zp = int(qmodel.fc3.zero_point)

    onnx_path = os.path.join(EXAMPLE, "lenet_qat.onnx")
    torch.onnx.export(qmodel, torch.from_numpy(x_te[:1].reshape(1, 1, 28, 28)), onnx_path,
                      opset_version=13, input_names=["x"], output_names=["logits"])
    check = x_te[:N_CHECK].reshape(N_CHECK, 1, 1, 28, 28)
    np.savez_compressed(os.path.join(EXAMPLE, "qat_check.npz"), x=check,
                        expected=torch_out[:N_CHECK], scale=np.float32(out_scale),
                        zero_point=np.int32(out_zp))

    with tempfile.TemporaryDirectory() as tmp:
        j = lambda name: os.path.join(tmp, name)
        np.savez(j("test.npz"), x=x_te.reshape(-1, 1, 1, 28, 28))
        np.save(j("labels.npy"), y_te)
        run([os.path.join(BIN, "qopt-translate"), "--import-onnx", onnx_path, "-o", j("qat.mlir")])
        run([os.path.join(BIN, "qopt"), "--quantize-int8", j("qat.mlir"), "-o", j("int8.mlir")])
        ir = open(j("int8.mlir")).read()
        assert "tosa.conv2d" not in ir and "tosa.matmul" not in ir, "a layer stayed float"
        out = run([os.path.join(BIN, "qopt-run"), j("int8.mlir"), "--inputs", j("test.npz"),
                   "--labels", j("labels.npy"), "--outputs", j("out.npz")])
        qopt_top1 = float(re.search(r"accuracy: ([0-9.]+)", out).group(1))
        qopt_out = np.load(j("out.npz"))
        qopt_out = qopt_out[list(qopt_out.keys())[0]].reshape(-1, 10)

    to_int = lambda y: np.rint(y / out_scale).astype(np.int64) + out_zp
    diff = np.abs(to_int(qopt_out) - to_int(torch_out))
    agreement = float(np.mean(qopt_out.argmax(1) == torch_out.argmax(1)))
    lines = [
        "Measured %s by `/usr/bin/python3 scripts/qat_mnist.py --docs docs/onnx-import.md` "
        "(PyTorch %s QAT, onednn qconfig, one epoch from the float LeNet; ONNX opset 13 QDQ; "
        "`qopt --quantize-int8` without calibration data), MNIST test set (10,000 images):"
        % (datetime.date.today().isoformat(), torch.__version__.split("+")[0]),
        "",
        "| model | top-1 |",
        "|---|---|",
        "| float32 LeNet (PyTorch) | %.4f |" % float_top1,
        "| PyTorch QAT int8 (onednn) | %.4f |" % torch_top1,
        "| qopt int8 from the QDQ ONNX file | %.4f |" % qopt_top1,
        "",
        "qopt vs PyTorch int8: argmax agreement %.4f; output integers (uint8, scale %.4g) "
        "differ on %d of %d values, by at most %d."
        % (agreement, out_scale, int((diff > 0).sum()), diff.size, int(diff.max())),
    ]
    print("\n".join(lines))
    if args.docs:
        text = open(args.docs).read()
        block = "<!-- qat:begin -->\n" + "\n".join(lines) + "\n<!-- qat:end -->"
        text, n = re.subn(r"<!-- qat:begin -->.*?<!-- qat:end -->", lambda _: block, text,
                          flags=re.S)
        if n != 1:
            sys.exit("no <!-- qat:begin --> / <!-- qat:end --> markers in " + args.docs)
        open(args.docs, "w").write(text)
        print("wrote", args.docs)
    if agreement < 0.995:
        sys.exit("argmax agreement %.4f is below 0.995" % agreement)


if __name__ == "__main__":
    main()
