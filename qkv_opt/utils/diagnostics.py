"""
Diagnostics as MLIR gives them: ``FILE:LINE:COL: error: MESSAGE``, the source line
and a caret, then the notes.

Passes report a failure by raising ``DiagnosticError`` (built with ``error_at``);
warnings and remarks go to the active ``DiagnosticEngine`` with ``emit``.  The
driver prints them, ``--verify-diagnostics`` matches them against
``expected-*`` annotations, and the Python API hands them to the caller.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from xdsl.dialects.builtin import ArrayAttr, CallSiteLoc, FileLineColLoc, FusedLoc, NameLoc
from xdsl.ir import Attribute, Operation
from xdsl.utils.exceptions import PassFailedException
from xdsl.utils.str_enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    REMARK = "remark"
    NOTE = "note"


@dataclass(frozen=True)
class SourceLoc:
    """A position in an input file; lines and columns count from 1."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass
class Diagnostic:
    """One message with its severity, location and attached notes."""

    severity: Severity
    message: str
    loc: SourceLoc | None = None
    notes: list[Diagnostic] = field(default_factory=lambda: list[Diagnostic]())

    def with_note(self, message: str, loc: SourceLoc | None = None) -> Diagnostic:
        self.notes.append(Diagnostic(Severity.NOTE, message, loc))
        return self


class DiagnosticError(PassFailedException):
    """A failure that carries located diagnostics (one error and its notes, or more)."""

    diagnostics: list[Diagnostic]

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(render(d, None) for d in self.diagnostics))


def _loc_from_attr(attr: Attribute) -> SourceLoc | None:
    match attr:
        case FileLineColLoc():
            return SourceLoc(attr.filename.data, attr.line.data, attr.column.data)
        case NameLoc():
            return _loc_from_attr(attr.location)
        case CallSiteLoc():
            return _loc_from_attr(attr.callee)
        case FusedLoc(locations=ArrayAttr() as locations):
            for inner in locations.data:
                if (loc := _loc_from_attr(inner)) is not None:
                    return loc
            return None
        case _:
            return None


def op_loc(op: Operation | None) -> SourceLoc | None:
    """
    The source location of an op.

    An op a pass created without a location borrows its nearest located ancestor's,
    so a diagnostic on lowered IR still points into the user's file.
    """
    while op is not None:
        if (loc := _loc_from_attr(op.location)) is not None:
            return loc
        op = op.parent_op()
    return None


def error_at(
    op: Operation | None, message: str, notes: Iterable[tuple[Operation | None, str]] = ()
) -> DiagnosticError:
    """An error on ``op`` (prefixed ``'name' op``, as MLIR does), with notes."""
    text = f"'{op.name}' op {message}" if op is not None else message
    diag = Diagnostic(Severity.ERROR, text, op_loc(op))
    for note_op, note in notes:
        diag.with_note(note, op_loc(note_op))
    return DiagnosticError([diag])


# --------------------------------------------------------------------------- #
# Where warnings and remarks go while a pass runs
# --------------------------------------------------------------------------- #


@dataclass
class DiagnosticEngine:
    """Collects the non-fatal diagnostics emitted while it is active."""

    diagnostics: list[Diagnostic] = field(default_factory=lambda: list[Diagnostic]())


_current: ContextVar[DiagnosticEngine | None] = ContextVar("qkv_opt_diagnostics", default=None)


@contextmanager
def collecting(engine: DiagnosticEngine) -> Generator[DiagnosticEngine]:
    """Route ``emit`` calls to ``engine`` for the duration of the block."""
    token = _current.set(engine)
    try:
        yield engine
    finally:
        _current.reset(token)


def emit(op: Operation | None, severity: Severity, message: str) -> None:
    """Report a warning or remark on ``op``; dropped when no engine is active."""
    engine = _current.get()
    if engine is None:
        return
    text = f"'{op.name}' op {message}" if op is not None else message
    engine.diagnostics.append(Diagnostic(severity, text, op_loc(op)))


# --------------------------------------------------------------------------- #
# Rendering
# --------------------------------------------------------------------------- #


@dataclass
class SourceFiles:
    """The text of input files, to show the offending line under a diagnostic."""

    texts: dict[str, list[str]] = field(default_factory=lambda: dict[str, list[str]]())

    def add(self, name: str, text: str) -> None:
        self.texts[name] = text.splitlines()

    def line(self, loc: SourceLoc) -> str | None:
        lines = self.texts.get(loc.file)
        if lines is None or not 1 <= loc.line <= len(lines):
            return None
        return lines[loc.line - 1]


def render(diag: Diagnostic, sources: SourceFiles | None) -> str:
    """``FILE:LINE:COL: error: MESSAGE`` + source line + caret, then each note."""
    out: list[str] = []
    _render_one(diag, sources, out)
    for note in diag.notes:
        _render_one(note, sources, out)
    return "\n".join(out)


def _render_one(diag: Diagnostic, sources: SourceFiles | None, out: list[str]) -> None:
    prefix = f"{diag.loc}: " if diag.loc is not None else ""
    out.append(f"{prefix}{diag.severity.value}: {diag.message}")
    if diag.loc is None or sources is None:
        return
    line = sources.line(diag.loc)
    if line is None:
        return
    out.append(line)
    caret_col = min(max(diag.loc.col - 1, 0), len(line))
    # Keep tabs so the caret lines up under the column in a terminal.
    pad = "".join("\t" if c == "\t" else " " for c in line[:caret_col])
    out.append(pad + "^")
