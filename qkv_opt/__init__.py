"""qkv-opt: a compiler toolkit, built on xDSL, for tile programs on Ascend NPUs."""

from qkv_opt.dialects import upstream_compat

__version__ = "0.1.0"

# Importing qkv_opt makes xDSL read mixed-precision linalg.matmul and the custom
# scf.parallel syntax the way upstream MLIR does (see upstream_compat's docstring).
upstream_compat.install()
