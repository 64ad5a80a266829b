"""Feeds qopt-translate truncated and bit-flipped copies of ONNX models, and
copies with integer attributes changed (strides, pads, kernel sizes, groups,
axes: a value set to a small random integer, or a list made one longer or
shorter — the window arithmetic's inputs, which bit flips rarely reach), and
checks that every run ends with exit code 0 or 1 (a result or a
diagnostic), never a crash, and that a failing run writes no output.

  fuzz.py QOPT_TRANSLATE WORKDIR model.onnx... 
"""
import os
import random
import subprocess
import sys

import onnx

tool, work, models = sys.argv[1], sys.argv[2], sys.argv[3:]
rng = random.Random(int(os.environ.get("FUZZ_SEED", "1")))  # other seeds: longer runs by hand
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
    model_proto = onnx.load_from_string(data)
    places = [(i, j) for i, node in enumerate(model_proto.graph.node)
              for j, a in enumerate(node.attribute)
              if a.type in (onnx.AttributeProto.INT, onnx.AttributeProto.INTS)]
    for _ in range(60 if places else 0):
        changed = onnx.ModelProto()
        changed.CopyFrom(model_proto)
        i, j = rng.choice(places)
        a = changed.graph.node[i].attribute[j]
        if a.type == onnx.AttributeProto.INT:
            a.i = rng.randint(-2, 9)
        elif a.ints and rng.random() < 0.25:
            a.ints.pop()
        elif rng.random() < 0.1:
            a.ints.append(rng.randint(-2, 9))
        elif a.ints:
            a.ints[rng.randrange(len(a.ints))] = rng.randint(-2, 9)
        variants.append(changed.SerializeToString())
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
            kept = os.path.join(work, "crash-%s-%d.onnx" % (os.path.basename(model), k))
            open(kept, "wb").write(v)
            print("CRASH %s variant %d: exit %d (kept as %s)"
                  % (os.path.basename(model), k, r.returncode, kept))
print("%d runs, %d crashes" % (runs, crashes))
