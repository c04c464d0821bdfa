"""
Run tile programs on the CPU: the interpreter behind ``qkv-run``.

* ``run_function(module, entry, args)`` calls ``@entry`` on numpy arrays (bf16 as
  ``ml_dtypes.bfloat16``) and returns every memref argument after the run; the
  inputs are not modified.  Run-time check failures (an access outside a memref,
  a read of uninitialised memory, arguments of the wrong shape or dtype, an
  input larger than the memory budget) raise
  ``qkv_opt.utils.diagnostics.DiagnosticError`` located at the op.
* ``seeded_inputs(fn, seed, init)`` makes the standard-normal inputs qkv-run uses.
* ``compare.ratio_allclose`` is the golden comparison of the reference harness.

Two executors share one semantics (``numerics.py``, ``scalar.py``,
``memory.py``): ``reference.py``, one xDSL ``@impl`` per op, is the
definition; ``fast.py`` compiles the IR to closures once and runs the
independent iterations of an ``scf.parallel`` together as batched torch
operations, and is differential-tested against the reference bit for bit.

The interpreter depends on ``qkv_opt.dialects`` and ``qkv_opt.utils`` only.
"""

from __future__ import annotations

from qkv_opt.interpreter.compare import CompareResult, ratio_allclose
from qkv_opt.interpreter.inputs import Init, seeded_inputs
from qkv_opt.interpreter.memory import MemoryBudget
from qkv_opt.interpreter.runner import Executor, resolve_entry, run_function
from qkv_opt.interpreter.stats import RunStats

__all__ = [
    "CompareResult",
    "Executor",
    "Init",
    "MemoryBudget",
    "RunStats",
    "ratio_allclose",
    "resolve_entry",
    "run_function",
    "seeded_inputs",
]
