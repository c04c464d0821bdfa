"""
Run-time check failures and how they become located diagnostics.

The numeric and memory kernels know nothing about ops: a failed check raises
``Fault`` with what went wrong and the indices involved.  The executor that ran
the op turns it into ``FILE:LINE:COL: error: 'tile.load' op ...`` (``located``),
with a note naming the induction variables of the enclosing loops, so the user
sees which iteration failed.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.ir import BlockArgument, Operation, OpResult, SSAValue

from qkv_opt.utils.diagnostics import DiagnosticError, error_at


class Fault(Exception):
    """A run-time check failed; ``message`` says what and names the indices."""

    message: str

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def value_name(value: SSAValue) -> str:
    """``%n0`` when the source named the value, else a description of it."""
    if value.name_hint:
        return f"%{value.name_hint}"
    if isinstance(value, BlockArgument):
        owner = value.block.parent_op()
        owner_name = owner.name if owner is not None else "block"
        return f"%arg{value.index} of {owner_name}"
    if isinstance(value, OpResult):
        return f"result #{value.index} of {value.op.name}"
    return "a value"


def located(
    op: Operation, fault: Fault, ivs: Sequence[tuple[SSAValue, int]] = ()
) -> DiagnosticError:
    """The diagnostic for ``fault`` raised while running ``op``."""
    error = error_at(op, fault.message)
    if ivs:
        where = ", ".join(f"{value_name(v)} = {i}" for v, i in ivs)
        error.diagnostics[0].with_note(f"in the iteration where {where}")
    return error
