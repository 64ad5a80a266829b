"""Feeds qopt-translate truncated and bit-flipped copies of ONNX models and
checks that every run ends with exit code 0 or 1 (a result or a
diagnostic), never a crash, and that a failing run writes no output.

  fuzz.py QOPT_TRANSLATE WORKDIR model.onnx... 
"""
import os
import random
import subprocess
import sys

tool, work, models = sys.argv[1], sys.argv[2], sys.argv[3:]
rng = random.Random(1)
runs = crashes = 0
for model in models:
    data = open(model, "rb").read()
    variants = [data[:n] for n in range(0, len(data), max(1, len(data) // 40))]
    for _ in range(60):
        flipped = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(flipped))
            flipped[i] ^= 1 << rng.randrange(8)
        variants.append(bytes(flipped))
    for k, v in enumerate(variants):
        path = os.path.join(work, "case.onnx")
        out = os.path.join(work, "case.mlir")
        if os.path.exists(out):
            os.remove(out)
        open(path, "wb").write(v)
        r = subprocess.run([tool, "--import-onnx", path, "-o", out], capture_output=True)
        runs += 1
        if r.returncode not in (0, 1) or (r.returncode == 1 and os.path.exists(out)):
            crashes += 1
            print("CRASH %s variant %d: exit %d" % (os.path.basename(model), k, r.returncode))
print("%d runs, %d crashes" % (runs, crashes))
