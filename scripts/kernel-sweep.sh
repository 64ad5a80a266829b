#!/usr/bin/env bash
# Bit-exactness sweep of every int8 kernel path against the C++ reference:
# for each path, COUNT random fully connected layers (qt-testgen
# --op=fc-sweep: M and N in 1..33, K a prime up to 1021), PER_OBJECT cases
# per compiled object, plus the 54 edge cases (--op=fc-edges: input zero
# points -128 / 0 / 127 x all -128 / 255*127 products / random inputs x
# multipliers below / above 1). x86 paths run natively (this CPU has
# AVX-512 VNNI), AArch64 paths under qemu-aarch64.
#
#   scripts/kernel-sweep.sh [--count N] [--per-object N] [--seed S]
#                           [--paths a,b,...] [--docs FILE]
#                           [--sparsity S [--sparse-weights auto|sparse]]
#
# --sparsity S prunes every case's weights first (random block shapes, see
# qt-testgen) and --sparse-weights picks how the kernels store them
# (default sparse: every layer on the block-sparse kernel).
#
# Prints one line per path and "N passed, N failed" (paths) last; exits 1
# on any mismatch. --docs writes the table as Markdown. Tools come from
# $QOPT_BUILD_DIR/bin (default build/bin), else PATH.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${QOPT_BUILD_DIR:-$root/build}/bin
[ -x "$bin/qopt" ] || bin=$(dirname "$(command -v qopt)")
count=1000 per=100 seed=1 docs="" paths_arg="" sparsity="" sparse_weights=sparse
while [ $# -gt 0 ]; do
  case $1 in
    --count) count=$2; shift 2 ;;
    --per-object) per=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --paths) paths_arg=$2; shift 2 ;;
    --docs) docs=$2; shift 2 ;;
    --sparsity) sparsity=$2; shift 2 ;;
    --sparse-weights) sparse_weights=$2; shift 2 ;;
    *) echo "kernel-sweep: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

qemu="qemu-aarch64 -L /usr/aarch64-linux-gnu"
# name | qopt flags | C compiler | runner
declare -A flags=(
  [avx512-vnni]="--lower-to-llvm --mcpu=znver4"
  [avx-vnni]="--lower-to-llvm --mcpu=znver4 --mattr=-avx512bw"
  [avx2]="--lower-to-llvm --mcpu=haswell"
  [portable-x86]="--lower-to-llvm=kernels=portable"
  [neon-dotprod-max]="--lower-to-llvm --target=aarch64-linux-gnu --mattr=+dotprod"
  [neon-dotprod-a76]="--lower-to-llvm --target=aarch64-linux-gnu --mcpu=cortex-a76"
  [neon-i8mm-max]="--lower-to-llvm --target=aarch64-linux-gnu --mattr=+i8mm"
  [neon-a53]="--lower-to-llvm --target=aarch64-linux-gnu --mcpu=cortex-a53"
  [portable-aarch64]="--lower-to-llvm=kernels=portable --target=aarch64-linux-gnu"
)
declare -A runner=(
  [neon-dotprod-max]="$qemu -cpu max" [neon-dotprod-a76]="$qemu -cpu cortex-a76"
  [neon-i8mm-max]="$qemu -cpu max" [neon-a53]="$qemu -cpu cortex-a53"
  [portable-aarch64]="$qemu -cpu cortex-a53"
)
all=(avx512-vnni avx-vnni avx2 portable-x86 neon-dotprod-max neon-dotprod-a76
     neon-i8mm-max neon-a53 portable-aarch64)
gen_flags=()
if [ -n "$sparsity" ]; then
  gen_flags=(--sparsity="$sparsity")
  for p in "${!flags[@]}"; do
    flags[$p]=${flags[$p]/--lower-to-llvm /--lower-to-llvm=sparse-weights=$sparse_weights }
  done
fi
if [ -n "$paths_arg" ]; then IFS=, read -r -a paths <<< "$paths_arg"; else paths=("${all[@]}"); fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# One generated batch is compiled once per path.
batches=()
made=0 b=0
while [ "$made" -lt "$count" ]; do
  n=$(( count - made < per ? count - made : per ))
  mkdir -p "$work/b$b"
  "$bin/qt-testgen" --op=fc-sweep --seed=$((seed * 1000 + b)) --count=$n "${gen_flags[@]}" --out="$work/b$b"
  batches+=("b$b"); made=$((made + n)); b=$((b + 1))
done
mkdir -p "$work/edges"
"$bin/qt-testgen" --op=fc-edges --seed="$seed" "${gen_flags[@]}" --out="$work/edges"
batches+=(edges)

passed=0 failed=0
rows=()
for path in "${paths[@]}"; do
  [ -n "${flags[$path]:-}" ] || { echo "kernel-sweep: unknown path '$path'" >&2; exit 2; }
  cc=cc; run=""
  case $path in neon-*|portable-aarch64) cc=aarch64-linux-gnu-gcc; run=${runner[$path]} ;; esac
  cases=0 mismatches=0 random=0 edges=0
  for batch in "${batches[@]}"; do
    d=$work/$batch; o=$d/$path
    mkdir -p "$o"   # the header is named after the object: cases.h
    # shellcheck disable=SC2086
    "$bin/qopt" ${flags[$path]} "$d/cases.mlir" -o "$o/cases.o"
    $cc -I"$o" "$d/harness.c" "$o/cases.o" -lm -o "$o/run"
    # shellcheck disable=SC2086
    line=$($run "$o/run" "$d" | tail -n 1) || true
    c=$(sed -n 's/^\([0-9]*\) cases, \([0-9]*\) mismatches$/\1/p' <<< "$line")
    m=$(sed -n 's/^\([0-9]*\) cases, \([0-9]*\) mismatches$/\2/p' <<< "$line")
    if [ -z "$c" ]; then echo "kernel-sweep: $path/$batch did not run: $line" >&2; c=0; m=1; fi
    cases=$((cases + c)); mismatches=$((mismatches + m))
    if [ "$batch" = edges ]; then edges=$c; else random=$((random + c)); fi
  done
  printf '%-18s %5d random + %2d edge cases, %d mismatches\n' "$path" "$random" "$edges" "$mismatches"
  rows+=("| \`$path\` | \`${flags[$path]}\`${run:+ under \`${run#qemu-aarch64 -L /usr/aarch64-linux-gnu }\`} | $random | $edges | $mismatches |")
  if [ "$mismatches" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done

if [ -n "$docs" ]; then
  {
    echo "# Kernel sweep"
    echo
    echo "Produced by \`scripts/kernel-sweep.sh --count $count --per-object $per --seed $seed --docs $docs\`"
    echo "on $(date -u +%Y-%m-%d) ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))."
    echo "Every int8 kernel path runs random fully connected layers (M and N from 1 to 33, K a prime"
    echo "up to 1021, zero points -128 / 0 / 127 or random, per-tensor or per-channel scales, fused"
    echo "bounds, a sixth of the inputs all -128 or extremes) and 54 edge cases (input zero point"
    echo "-128 / 0 / 127 × inputs all -128, all 127 against weights of 127 (products of 255 × 127),"
    echo "or random × requantization multipliers below and above 1, on 1×1021×1, 7×97×33 and"
    echo "33×1021×17), and compares every output byte with the C++ reference (docs/numerics.md)."
    echo "Convolutions run on the same kernels through im2col (tested in test/Integration/QT)."
    echo
    echo "| path | qopt flags (and qemu CPU) | random cases | edge cases | mismatches |"
    echo "|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "CI runs a sample of this sweep (test/Integration/QT/kernel-sweep.test: every edge case and"
    echo "50 random cases per path)."
  } > "$docs"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
