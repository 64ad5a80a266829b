#!/usr/bin/env bash
# int8 GEMM (qt.fully_connected, y[M,N] = x[M,K] * W[N,K]^T, requantized) as
# qopt compiles it for the host, against the CPU's vpdpbusd peak measured in
# the same run (bench/peak.c). One thread. Prints a Markdown table.
# Needs a built qopt, clang-22 and /usr/bin/python3 with numpy.
# Peers (oneDNN, ONNX Runtime's MLAS) are not measured yet.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${QOPT_BUILD_DIR:-$root/build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

clang-22 -O2 -mavx512f -mavx512bw -mavx512vnni "$root/bench/peak.c" -o "$tmp/peak"
peak=$("$tmp/peak")
echo "vpdpbusd peak, one core: $peak GOPS"
echo
echo "| M | N | K | qopt GOPS | % of peak |"
echo "|---|---|---|---|---|"
for shape in "1024 1024 1024" "1 1024 1024" "4 1024 1024" "16 1024 1024" "256 1024 1024" \
             "1 4096 4096" "4 4096 4096" "16 4096 4096" "256 4096 4096"; do
  read -r m n k <<< "$shape"
  /usr/bin/python3 - "$m" "$n" "$k" "$tmp/gemm.mlir" <<'PY'
import sys, numpy as np
m, n, k = map(int, sys.argv[1:4])
rng = np.random.default_rng(0)
w = rng.integers(-127, 128, size=(n, k), dtype=np.int8).tobytes().hex()
b = rng.integers(-1000, 1000, size=n, dtype=np.int32).tobytes().hex()
scales = ", ".join(["0.0001"] * n)
wt = f"tensor<{n}x{k}x!quant.uniform<i8:f32:0, {{{scales}}}>>"
xt = f"tensor<{m}x{k}x!quant.uniform<i8:f32, 0.01:3>>"
yt = f"tensor<{m}x{n}x!quant.uniform<i8:f32, 0.5:-1>>"
open(sys.argv[4], "w").write(f"""func.func @main(%x: tensor<{m}x{k}xi8>) -> tensor<{m}x{n}xi8> {{
  %xq = quant.scast %x : tensor<{m}x{k}xi8> to {xt}
  %wi = arith.constant dense<"0x{w}"> : tensor<{n}x{k}xi8>
  %w = quant.scast %wi : tensor<{n}x{k}xi8> to {wt}
  %b = arith.constant dense<"0x{b}"> : tensor<{n}xi32>
  %y = qt.fully_connected %xq, %w, %b : {xt}, {wt}, tensor<{n}xi32> -> {yt}
  %r = quant.scast %y : {yt} to tensor<{m}x{n}xi8>
  return %r : tensor<{m}x{n}xi8>
}}
""")
PY
  "$build/bin/qopt" --lower-to-llvm "$tmp/gemm.mlir" -o "$tmp/gemm.o"
  cat > "$tmp/run.c" <<C
#include "gemm.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(void) {
  int8_t *x = malloc($m * $k), *y = malloc($m * $n);
  for (long i = 0; i < (long)$m * $k; ++i) x[i] = (int8_t)(i * 7);
  gemm_main(x, y);
  int iters = 1; double t;
  do { iters *= 2; t = now(); for (int i = 0; i < iters; ++i) gemm_main(x, y); t = now() - t; } while (t < 0.3);
  printf("%.1f\n", 2.0 * $m * $n * $k * iters / t / 1e9);
  return 0;
}
C
  cc -O2 -I"$tmp" "$tmp/run.c" "$tmp/gemm.o" -o "$tmp/run"
  gops=$("$tmp/run")
  printf '| %s | %s | %s | %s | %.0f%% |\n' "$m" "$n" "$k" "$gops" "$(awk "BEGIN{print 100 * $gops / $peak}")"
done
