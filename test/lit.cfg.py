# -*- Python -*-
import os
import shutil

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "QOPT"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.qopt_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%qopt_src", config.qopt_src_root))
config.substitutions.append(("%qopt_libs", config.qopt_lib_dir))
config.substitutions.append(("%qopt_obj", config.qopt_obj_root))
config.substitutions.append(("%examples", os.path.join(config.qopt_src_root, "examples")))
config.substitutions.append(("%harness", os.path.join(config.qopt_src_root, "test", "Integration", "harness")))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.qopt_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

# C compilers for linking generated objects: the host compiler, and the
# AArch64 cross compiler plus qemu for AArch64 objects.
host_cc = config.host_cc or shutil.which("cc")
config.substitutions.append(("%host_cc", host_cc))
config.substitutions.append(("%aarch64_cc", "aarch64-linux-gnu-gcc"))
config.substitutions.append(
    ("%qemu_aarch64", "qemu-aarch64 -L /usr/aarch64-linux-gnu"))
config.substitutions.append(("%mlir_opt", os.path.join(config.llvm_tools_dir, "mlir-opt")))
config.substitutions.append(("%cmake", config.cmake_command))
config.substitutions.append(("%cmake_generator", config.cmake_generator))
config.substitutions.append(("%cxx", config.cxx_compiler))
config.substitutions.append(("%mlir_dir", config.mlir_dir))
config.substitutions.append(("%python", "/usr/bin/python3"))

tools = [
    ToolSubst("qopt", unresolved="fatal"),
    ToolSubst("qt-testgen", unresolved="fatal"),
    ToolSubst("qopt-run", unresolved="fatal"),
    ToolSubst("qopt-translate", unresolved="fatal"),
    ToolSubst("FileCheck", unresolved="fatal"),
    ToolSubst("not", unresolved="fatal"),
    ToolSubst("count", unresolved="fatal"),
]
llvm_config.add_tool_substitutions(tools, [config.qopt_tools_dir, config.llvm_tools_dir])

# What the host can run, read by qopt-host-features with LLVM's host-feature
# API (never from the CPU's name): lit features `host-x86_64` /
# `host-aarch64`, `host-<feature>` for each CPU feature (host-avx2,
# host-avx512vnni, host-avxvnni, host-amx-int8, host-avx512fp16, ...) and
# `host-kernels-<variant>` for each kernel variant whose instruction set the
# host has. A test that runs code natively states what it needs with
# REQUIRES; tests that sweep every variant loop over %host_kernel_variants.
import subprocess

host_variants = []
host_report = subprocess.run(
    [os.path.join(config.qopt_tools_dir, "qopt-host-features")],
    capture_output=True, text=True, check=True).stdout
for line in host_report.splitlines():
    kind, _, value = line.partition(" ")
    if kind == "arch":
        config.available_features.add("host-" + value)
    elif kind == "feature":
        config.available_features.add("host-" + value)
    elif kind == "variant":
        config.available_features.add("host-kernels-" + value)
        host_variants.append(value)
config.substitutions.append(("%host_kernel_variants", " ".join(host_variants)))
# The variant an object with every variant chooses here (the strongest).
config.substitutions.append(("%host_best_kernel_variant",
                             host_variants[-1] if host_variants else "none"))

# `root`: tests that drop privileges to check behaviour under resource
# limits that root is exempt from (e.g. the thread pool when threads cannot
# be created).
if hasattr(os, "geteuid") and os.geteuid() == 0:
    config.available_features.add("root")

# Compiled models run on one thread unless a test says otherwise (the
# thread tests set QOPT_NUM_THREADS or call <stem>_set_num_threads): every
# case runs at 1 thread, a sample at 2 and 3 (test/Integration/Threads), and
# two tests at once on a 2-core machine do not start 4 busy threads.
config.environment["QOPT_NUM_THREADS"] = "1"
