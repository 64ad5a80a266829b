#!/usr/bin/env python3
"""bf16 against float32 matmuls, one thread: the same float32 model compiled by
qopt as it is and with --quantize-bf16, measured in one run.

  /usr/bin/python3 bench/bf16.py [--docs docs/performance.md] [--shapes M,N,K;...]

Each shape is a tosa.matmul y[M,N] = x[M,K] W[K,N] with constant weights,
called through the object's C header (float32 in and out; the bf16 object
rounds the input, accumulates in float32 and rounds the result). Best of 3
timings of >= 0.2 s each. On hosts with AMX-BF16 the bf16 object's matmuls
run on tdpbf16ps tiles, elsewhere on the float32 kernel over the widened
input (so about the float32 speed). Prints a Markdown table; with --docs
replaces the table between `<!-- bf16:begin -->` / `<!-- bf16:end -->`.
"""
import argparse
import datetime
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import BUILD, MODEL_TIMER_C, ONE_THREAD, cpu_model, replace_marked  # noqa: E402

# benchlib's timer, also naming the kernel variant the object chose.
TIMER_C = MODEL_TIMER_C.replace(
    "int main(void) {\n",
    'int main(void) {\n  fprintf(stderr, "%s\\n", model_kernel_variant());\n', 1)


def matmul_mlir(m, n, k):
    import numpy as np
    rng = np.random.default_rng(0)
    w = rng.standard_normal((1, k, n)).astype(np.float32).tobytes().hex().upper()
    return f"""func.func @main(%x: tensor<1x{m}x{k}xf32>) -> tensor<1x{m}x{n}xf32> {{
  %w = "tosa.const"() <{{values = dense<"0x{w}"> : tensor<1x{k}x{n}xf32>}}> : () -> tensor<1x{k}x{n}xf32>
  %zp = "tosa.const"() <{{values = dense<0.0> : tensor<1xf32>}}> : () -> tensor<1xf32>
  %y = tosa.matmul %x, %w, %zp, %zp : (tensor<1x{m}x{k}xf32>, tensor<1x{k}x{n}xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x{m}x{n}xf32>
  return %y : tensor<1x{m}x{n}xf32>
}}
"""


def measure(tmp, name, mlir, flags):
    d = os.path.join(tmp, name)
    os.makedirs(d)
    with open(os.path.join(d, "model.mlir"), "w") as f:
        f.write(mlir)
    with open(os.path.join(d, "timer.c"), "w") as f:
        f.write(TIMER_C)
    subprocess.run([os.path.join(BUILD, "bin", "qopt")] + flags +
                   ["--lower-to-llvm", os.path.join(d, "model.mlir"), "-o",
                    os.path.join(d, "model.o")], check=True)
    subprocess.run(["cc", "-O2", "-I" + d, os.path.join(d, "timer.c"), os.path.join(d, "model.o"),
                    "-lm", "-o", os.path.join(d, "timer")], check=True)
    r = subprocess.run([os.path.join(d, "timer")], check=True, capture_output=True, text=True,
                       env=ONE_THREAD)
    return float(r.stdout), r.stderr.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", help="Markdown file whose bf16 table to replace")
    parser.add_argument("--shapes", default="1024,1024,1024;256,4096,4096;64,1024,1024;16,1024,1024")
    args = parser.parse_args()
    lines = ["Measured %s on %s by `/usr/bin/python3 bench/bf16.py`, one thread: the same "
             "float32 matmul compiled as it is and with `--quantize-bf16`; GFLOPS = 2·M·N·K "
             "per second." % (datetime.date.today().isoformat(), cpu_model()), "",
             "| M×N×K | float32 GFLOPS | bf16 GFLOPS (kernel variant) | bf16 vs float32 |",
             "|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        for i, shape in enumerate(args.shapes.split(";")):
            m, n, k = map(int, shape.split(","))
            mlir = matmul_mlir(m, n, k)
            t32, v32 = measure(tmp, "f32-%d" % i, mlir, [])
            t16, v16 = measure(tmp, "bf16-%d" % i, mlir, ["--quantize-bf16"])
            flops = 2.0 * m * n * k
            lines.append("| %d×%d×%d | %.0f | %.0f (%s) | %.2f× |" % (
                m, n, k, flops / t32 / 1e9, flops / t16 / 1e9, v16, t32 / t16))
            print(lines[-1], flush=True)
    print("\n".join(lines))
    if args.docs:
        replace_marked(args.docs, "bf16", lines)


if __name__ == "__main__":
    main()
