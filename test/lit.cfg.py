# ruff: noqa
# lit configuration of qkv-opt's test suite (lit injects `config` and `lit_config`).
import os
import shutil
import sys

import lit.formats

config.name = "qkv-opt"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".test"]
config.excludes = ["lit.cfg.py", "unit", "Inputs", "inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.test_source_root, ".lit-out")

# The interpreter running lit is the project's venv: its bin directory holds
# qkv-opt, qkv-run, xdsl-opt and filecheck, so no activation is needed.
bin_dir = os.path.dirname(sys.executable)
config.environment["PATH"] = os.pathsep.join([bin_dir, config.environment.get("PATH", os.environ.get("PATH", ""))])
config.environment["PYTHONWARNINGS"] = "ignore::DeprecationWarning"
for var in ("HOME", "TMPDIR"):
    if var in os.environ:
        config.environment[var] = os.environ[var]

root = os.path.dirname(config.test_source_root)
config.substitutions.append(("%python", sys.executable))
config.substitutions.append(("%root", root))
config.substitutions.append(("%examples", os.path.join(root, "examples")))
# Custom <-> generic round trip: print generic, re-read, print custom again.
config.substitutions.append(
    ("%roundtrip", "qkv-opt --print-op-generic %s | qkv-opt")
)

# Optional tools: a test that needs one says `REQUIRES: <feature>`; without the
# tool it is reported UNSUPPORTED, never PASS.
if shutil.which("mlir-opt-22"):
    config.available_features.add("mlir-opt")
if shutil.which("FileCheck-22"):
    config.available_features.add("llvm-filecheck")
try:
    import torch_mlir  # noqa: F401

    config.available_features.add("torch-mlir")
except ImportError:
    pass
