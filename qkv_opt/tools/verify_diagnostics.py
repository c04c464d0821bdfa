"""
``--verify-diagnostics`` as mlir-opt does it.

Each ``// expected-error {{text}}`` annotation (also ``warning``, ``remark``,
``note``) names a diagnostic that must be produced on a line, identified by:

* nothing: the annotation's own line;
* ``@+N`` / ``@-N``: N lines below / above the annotation;
* ``@below`` / ``@above``: the next / previous line that is not an annotation;
* ``@unknown``: a diagnostic without a location.

A diagnostic matches when its severity and line agree and ``text`` occurs in
its message.  Every annotation must be matched, and every error, warning and
remark must be expected.  Notes are checked only when expected (mlir-opt also
requires unexpected notes to be annotated; the overflow error's notes list every
live tile, and a test should not have to repeat them all).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qkv_opt.utils.diagnostics import Diagnostic, Severity, SourceLoc

_ANNOTATION = re.compile(
    r"//\s*expected-(?P<kind>error|warning|remark|note)"
    r"\s*(?:@(?P<where>[+-]\d+|above|below|unknown))?"
    r"\s*\{\{(?P<text>.*?)\}\}"
)


@dataclass
class Expected:
    severity: Severity
    text: str
    line: int | None  # None: @unknown
    annotation: SourceLoc
    matched: bool = False


def parse_expected(name: str, text: str, line_offset: int) -> list[Expected]:
    lines = text.splitlines()
    is_annotation = [
        bool(_ANNOTATION.search(line)) and line.lstrip().startswith("//") for line in lines
    ]
    expected: list[Expected] = []
    for index, line in enumerate(lines):
        for m in _ANNOTATION.finditer(line):
            where = m.group("where")
            target: int | None = index
            if where is None:
                target = index
            elif where == "unknown":
                target = None
            elif where == "below":
                target = index + 1
                while target < len(lines) and is_annotation[target]:
                    target += 1
            elif where == "above":
                target = index - 1
                while target >= 0 and is_annotation[target]:
                    target -= 1
            else:
                target = index + int(where)
            file_line = None if target is None else target + 1 + line_offset
            expected.append(
                Expected(
                    Severity(m.group("kind")),
                    m.group("text"),
                    file_line,
                    SourceLoc(name, index + 1 + line_offset, m.start() + 1),
                )
            )
    return expected


def _match(expected: list[Expected], diag: Diagnostic) -> bool:
    line = None if diag.loc is None else diag.loc.line
    for e in expected:
        if (
            not e.matched
            and e.severity == diag.severity
            and e.line == line
            and e.text in diag.message
        ):
            e.matched = True
            return True
    return False


def check_expected(
    name: str, text: str, line_offset: int, diagnostics: list[Diagnostic]
) -> list[Diagnostic]:
    """The problems found: unexpected diagnostics and expectations never met."""
    expected = parse_expected(name, text, line_offset)
    problems: list[Diagnostic] = []
    for diag in diagnostics:
        if not _match(expected, diag):
            problems.append(
                Diagnostic(
                    Severity.ERROR, f"unexpected {diag.severity.value}: {diag.message}", diag.loc
                )
            )
        for note in diag.notes:
            _match(expected, note)
    for e in expected:
        if not e.matched:
            where = "without a location" if e.line is None else f"on line {e.line}"
            problems.append(
                Diagnostic(
                    Severity.ERROR,
                    f'expected {e.severity.value} "{e.text}" was not produced {where}',
                    e.annotation,
                )
            )
    return problems
