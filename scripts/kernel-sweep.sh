#!/usr/bin/env bash
# Bit-exactness sweep of every int8 kernel path against the C++ reference:
# for each path, COUNT random fully connected layers (qt-testgen
# --op=fc-sweep: M and N in 1..33, K a prime up to 1021), PER_OBJECT cases
# per compiled object, plus the 54 edge cases (--op=fc-edges: input zero
# points -128 / 0 / 127 x all -128 / 255*127 products / random inputs x
# multipliers below / above 1). x86 paths run natively (those whose
# instructions the host lacks are skipped), AArch64 paths under qemu-aarch64.
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
# Each architecture's cases are compiled once, with every kernel variant the
# paths use (kernels=...); a path is one variant, forced with QOPT_KERNELS or chosen
# by the object's dispatcher on the emulated CPU (which checks that it
# falls back: cortex-a76 has no i8mm, cortex-a53 no dotprod).
# path | variant it must run | QOPT_KERNELS | qemu CPU
declare -A variant=(
  [amx]=amx [avx512-vnni]=avx512-vnni [avx-vnni]=avx-vnni [avx2]=avx2
  [portable-x86]=portable
  [neon-dotprod-max]=neon-dotprod [neon-dotprod-a76]=neon-dotprod
  [neon-i8mm-max]=neon-i8mm [neon-a53]=neon [portable-aarch64]=portable
)
declare -A forced=(
  [amx]=amx [avx512-vnni]=avx512-vnni [avx-vnni]=avx-vnni [avx2]=avx2
  [portable-x86]=portable [neon-dotprod-max]=neon-dotprod
  [portable-aarch64]=portable
)
declare -A cpu=(
  [neon-dotprod-max]=max [neon-dotprod-a76]=cortex-a76 [neon-i8mm-max]=max
  [neon-a53]=cortex-a53 [portable-aarch64]=cortex-a53
)
all=(amx avx512-vnni avx-vnni avx2 portable-x86 neon-dotprod-max neon-dotprod-a76
     neon-i8mm-max neon-a53 portable-aarch64)
if [ -n "$paths_arg" ]; then IFS=, read -r -a paths <<< "$paths_arg"; else paths=("${all[@]}"); fi
# Each architecture's object holds the variants its paths run (all of them
# for the full sweep), so that the dispatcher's choice is among all of them.
x86_variants="" arm_variants=""
for path in "${paths[@]}"; do
  v=${variant[$path]:-}
  [ -n "$v" ] || { echo "kernel-sweep: unknown path '$path'" >&2; exit 2; }
  if [ -n "${cpu[$path]:-}" ]; then arm_variants+=",$v"; else x86_variants+=",$v"; fi
done
# The amx path runs every layer of 2+ rows on tiles (by default narrow or
# shallow layers stay on vpdpbusd), so that the sweep covers the tile
# kernel's edges.
lowering_options=" amx-small-layers=1"
gen_flags=()
if [ -n "$sparsity" ]; then
  gen_flags=(--sparsity="$sparsity")
  lowering_options+=" sparse-weights=$sparse_weights"
fi
# x86 variants this host lacks are skipped (and said so), never run.
host_variants=" $("$bin/qopt-host-features" | sed -n 's/^variant //p' | xargs) "

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

# Each batch is compiled once per architecture.
compile() { # batch arch
  local d=$work/$1 o=$work/$1/$2
  [ -f "$o/cases.o" ] && return 0
  mkdir -p "$o"   # the header is named after the object: cases.h
  if [ "$2" = x86 ]; then
    "$bin/qopt" "--lower-to-llvm=kernels=${x86_variants#,}$lowering_options" "$d/cases.mlir" -o "$o/cases.o"
    cc -I"$o" "$d/harness.c" "$o/cases.o" -lm -o "$o/run"
  else
    "$bin/qopt" "--lower-to-llvm=kernels=${arm_variants#,}$lowering_options" --target=aarch64-linux-gnu \
      "$d/cases.mlir" -o "$o/cases.o"
    aarch64-linux-gnu-gcc -I"$o" "$d/harness.c" "$o/cases.o" -lm -o "$o/run"
  fi
}

passed=0 failed=0 skipped=0
rows=()
for path in "${paths[@]}"; do
  [ -n "${variant[$path]:-}" ] || { echo "kernel-sweep: unknown path '$path'" >&2; exit 2; }
  arch=x86; run=""
  if [ -n "${cpu[$path]:-}" ]; then arch=aarch64; run="$qemu -cpu ${cpu[$path]}"; fi
  if [ $arch = x86 ] && [[ $host_variants != *" ${variant[$path]} "* ]]; then
    printf '%-18s skipped: this host cannot run %s\n' "$path" "${variant[$path]}"
    rows+=("| \`$path\` | skipped: the host lacks it | | | |")
    skipped=$((skipped + 1))
    continue
  fi
  cases=0 mismatches=0 random=0 edges=0
  for batch in "${batches[@]}"; do
    d=$work/$batch; o=$d/$arch
    compile "$batch" $arch
    # shellcheck disable=SC2086
    out=$(QOPT_KERNELS=${forced[$path]:-} $run "$o/run" "$d") || true
    line=$(tail -n 1 <<< "$out")
    ran=$(sed -n 's/^kernel variant: //p' <<< "$out")
    c=$(sed -n 's/^\([0-9]*\) cases, \([0-9]*\) mismatches$/\1/p' <<< "$line")
    m=$(sed -n 's/^\([0-9]*\) cases, \([0-9]*\) mismatches$/\2/p' <<< "$line")
    if [ -z "$c" ]; then echo "kernel-sweep: $path/$batch did not run: $line" >&2; c=0; m=1; fi
    if [ "$ran" != "${variant[$path]}" ]; then
      echo "kernel-sweep: $path/$batch ran the '$ran' kernels, not '${variant[$path]}'" >&2; m=$((m + 1))
    fi
    cases=$((cases + c)); mismatches=$((mismatches + m))
    if [ "$batch" = edges ]; then edges=$c; else random=$((random + c)); fi
  done
  printf '%-18s %5d random + %2d edge cases, %d mismatches\n' "$path" "$random" "$edges" "$mismatches"
  how="\`${variant[$path]}\`"
  [ -n "${forced[$path]:-}" ] && how+=" (QOPT_KERNELS)" || how+=" (chosen by the dispatcher)"
  rows+=("| \`$path\` | $how${run:+ under \`-cpu ${cpu[$path]}\`} | $random | $edges | $mismatches |")
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
    echo "Each architecture's cases are compiled once, into one object holding every kernel variant of its paths; a path"
    echo "runs one kernel variant of that object, forced with \`QOPT_KERNELS\` or chosen by its"
    echo "dispatcher on the emulated CPU, and the harness checks which variant ran."
    echo
    echo "| path | kernel variant (and qemu CPU) | random cases | edge cases | mismatches |"
    echo "|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "CI runs a sample of this sweep (test/Integration/QT/kernel-sweep.test: every edge case and"
    echo "50 random cases per path)."
  } > "$docs"
fi
if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"
else echo "$passed passed, $failed failed"; fi
[ "$failed" -eq 0 ]
