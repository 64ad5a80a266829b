#!/usr/bin/env bash
# One command from a fresh Debian 12 machine: install what is missing, build,
# and run the main job on the bundled example.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
"$root/scripts/run-example.sh"
