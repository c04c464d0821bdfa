"""
Jobs the fuzzing worker process runs besides the tools (see ``harness.run_job``).

Each returns plain data (it crosses a pipe); a result starting with
``PROBLEM`` is a broken contract, with the details.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

import numpy as np
from xdsl.dialects.builtin import ModuleOp

from qkv_opt import api
from qkv_opt.interpreter import MemoryBudget, resolve_entry, run_function, seeded_inputs
from qkv_opt.interpreter.runner import Executor
from qkv_opt.utils.diagnostics import DiagnosticError

BUDGET = 256 << 20
"""Bytes a fuzzed program may allocate."""


def _run(module: ModuleOp, entry: str, args: list[Any], executor: Executor) -> list[Any] | str:
    """The arguments after the run, or the message of its DiagnosticError."""
    try:
        return run_function(module, entry, args, executor=executor, budget=MemoryBudget(BUDGET))
    except DiagnosticError as e:
        return e.diagnostics[0].message


def compare_executors(data: bytes, seed: int) -> str:
    """
    Run a program on both executors: ``"unparsed"`` (it does not parse, verify
    or have one entry), ``"both failed"``, ``"same bits"``, or ``PROBLEM ...``
    when only one failed, the bits differ, or anything but a DiagnosticError
    was raised.
    """
    try:
        try:
            module = api.parse_module(data.decode())
            fn = resolve_entry(module, None)
            args = seeded_inputs(fn, seed, budget=MemoryBudget(BUDGET))
        except (UnicodeDecodeError, api.QkvOptError, DiagnosticError):
            return "unparsed"
        entry = fn.sym_name.data
        ref = _run(module, entry, args, "reference")
        fast = _run(module, entry, args, "fast")
    except Exception:
        return f"PROBLEM: an exception escaped:\n{traceback.format_exc()}"
    if isinstance(ref, str) and isinstance(fast, str):
        return "both failed"
    if isinstance(ref, str) or isinstance(fast, str):
        return f"PROBLEM: only one executor failed: reference {ref!r:.300}, fast {fast!r:.300}"
    for i, (r, f) in enumerate(zip(ref, fast, strict=True)):
        r, f = np.asarray(r), np.asarray(f)
        if r.shape != f.shape or r.dtype != f.dtype or r.tobytes() != f.tobytes():
            return f"PROBLEM: argument #{i} differs between the executors"
    return "same bits"


JOBS: dict[str, Callable[..., Any]] = {"compare_executors": compare_executors}
