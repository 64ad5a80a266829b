"""Checks that `qopt --help` names every qopt pass and pipeline that
`qopt --help-hidden` (the full mlir-opt list) knows."""
import re
import subprocess
import sys

def run(flag):
    return subprocess.run(["qopt", flag], capture_output=True, text=True, check=True).stdout

ours = re.compile(r"--((?:qt-|convert-qt-|convert-tosa-int8-|convert-tosa-float-|quantize-)[a-z0-9-]+|lower-to-llvm)\b")
every = set(ours.findall(run("--help-hidden")))
shown = set(ours.findall(run("--help")))
missing = sorted(every - shown)
if len(every) < 20 or missing:
    sys.exit(f"{len(every)} qopt passes in --help-hidden; missing from --help: {missing}")
print(f"all {len(every)} listed")
