"""
Reading MLIR text with source locations, and verifying it op by op.

xDSL's parser attaches no location to an op unless the text spells ``loc(...)``,
and its verifier reports a failure by printing the whole module.  MLIR tools
instead point at the op: ``k.mlir:12:5: error: 'tile.add' op ...``.  This module
gives every parsed op a ``FileLineColLoc`` (the position of its name, as
mlir-opt records it), turns every parse or verify failure into a located
``DiagnosticError``, and splits ``// -----`` inputs keeping the original line
numbers.

It also holds the line against hostile input (test/reliability): inputs
larger than 256 MiB, text nested deeper than 5,000 levels of ``{``,
dimensions beyond int64 and uses before definitions (which xDSL's parser and
verifier accept) are located errors, never a hang, a crash or a bad module.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

from xdsl.context import Context
from xdsl.dialects.builtin import (
    FileLineColLoc,
    IntAttr,
    ModuleOp,
    StringAttr,
    UnknownLoc,
    UnregisteredOp,
)
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.parser import Parser
from xdsl.traits import IsolatedFromAbove
from xdsl.utils.exceptions import MultipleSpansParseError, ParseError, VerifyException

from qkv_opt.utils.diagnostics import (
    Diagnostic,
    DiagnosticError,
    Severity,
    SourceLoc,
    error_at,
    op_loc,
)

MAX_DIMENSION = 2**63 - 1
"""The largest static dimension: MLIR's dimensions are ``int64_t``."""

MAX_NESTING = 5_000
"""
The deepest ``{`` nesting (regions, attribute dictionaries) ``parse_source`` reads.

xDSL's parser, verifier and printer recurse per region, and its parser copies
the visible SSA names into every region (time and memory grow with the square
of the depth: 10,000 nested ``scf.for`` take 13 s and 1.4 GB); beyond this depth
the input is refused at once instead.  The tools' 512 MiB stack holds this
depth with room to spare.
"""

_BRACES = re.compile(r'"(?:[^"\\\n]|\\.)*"|//[^\n]*|[{}]')
"""A string literal or a comment (skipped, braces inside do not count), or a brace."""


class LocatedParser(Parser):
    """An xDSL parser that records where each op starts and fails with a location."""

    def __init__(self, ctx: Context, text: str, name: str, line_offset: int = 0):
        super().__init__(ctx, text, name)
        self._text = text
        self._name = name
        self._line_offset = line_offset
        self._line_starts = [0]
        self._line_starts.extend(i + 1 for i, c in enumerate(text) if c == "\n")

    def source_loc(self, pos: int) -> SourceLoc:
        line = bisect.bisect_right(self._line_starts, pos) - 1
        return SourceLoc(
            self._name, line + 1 + self._line_offset, pos - self._line_starts[line] + 1
        )

    def _op_name_pos(self, start: int) -> int:
        """Skip an op's result list (``%a, %b:2 =``) to where its name begins."""
        if not self._text.startswith("%", start):
            return start
        eq = self._text.find("=", start)
        if eq < 0:
            return start
        pos = eq + 1
        while pos < len(self._text) and self._text[pos] in " \t\r\n":
            pos += 1
        return pos

    def parse_operation(self) -> Operation:
        start = self._current_token.span.start
        try:
            op = super().parse_operation()
        except ParseError as e:
            if e.msg.startswith("Operation ") and e.msg.endswith(" is not registered"):
                # Point at the op's name, as mlir-opt does, and say how to proceed.
                name_pos = self._op_name_pos(start)
                self.raise_error(
                    f"{e.msg}; qkv-opt knows the tile dialect and xDSL's dialects "
                    "(--allow-unregistered-dialect accepts unknown ops)",
                    name_pos,
                    name_pos + 1,
                )
            raise
        except (DiagnosticError, RecursionError):
            raise
        except VerifyException as e:
            # An attribute or type that fails its verifier while the op is built.
            self.raise_error(str(e), start, max(start + 1, self.pos))
        except Exception as e:
            self.raise_error(
                f"could not build the operation: {type(e).__name__}: {e}",
                start,
                max(start + 1, self.pos),
            )
        if isinstance(op.location, UnknownLoc):
            loc = self.source_loc(self._op_name_pos(start))
            op.location = FileLineColLoc(StringAttr(loc.file), IntAttr(loc.line), IntAttr(loc.col))
        return op

    def parse_shape_dimension(self, allow_dynamic: bool = True) -> int:
        start = self._current_token.span.start
        dim = super().parse_shape_dimension(allow_dynamic)
        if dim > MAX_DIMENSION:
            # MLIR's dimensions are int64_t (mlir-opt: "invalid dimension"); a
            # larger one would also overflow the index constants of a lowering.
            self.raise_error(
                f"dimension {dim} is too large: dimensions are 64-bit signed integers, "
                f"at most {MAX_DIMENSION:,}",
                start,
                max(start + 1, self.pos),
            )
        return dim

    def parse_optional_type(self):  # type: ignore[override]
        start = self._current_token.span.start
        try:
            return super().parse_optional_type()
        except VerifyException as e:
            self.raise_error(str(e), start, max(start + 1, self.pos))

    def parse_optional_attribute(self) -> Attribute | None:
        start = self._current_token.span.start
        try:
            return super().parse_optional_attribute()
        except VerifyException as e:
            self.raise_error(str(e), start, max(start + 1, self.pos))


def parse_error_diagnostic(e: ParseError, line_offset: int = 0) -> Diagnostic:
    """A located diagnostic from an xDSL ParseError, with a clearer message at EOF."""
    location = e.span.get_location()
    loc = SourceLoc(location.file, location.line + line_offset, location.col)
    # Show control characters (a NUL byte, say) as escapes, not raw bytes.
    message = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in e.msg.strip())
    content = e.span.input.content
    rest = content if isinstance(content, str) else content.decode("utf-8", "replace")
    rest = rest[e.span.start :]
    if message.startswith("values used but not defined"):
        message = (
            f"{message}: each must be defined before this point, in this region or an enclosing one"
        )
    elif not rest.strip():
        message = (
            "unexpected end of input: the file ends inside an operation or region "
            "(is it truncated, or a '}' missing?)"
        )
    elif message == "Could not parse entire input!" and rest.startswith("}"):
        message = "unexpected '}': no region is open here (one '}' too many?)"
    elif message == "Expected shape type.":
        message = _explain_shape_error(rest) or message
    elif e.msg.startswith(" "):
        # Some of xDSL's messages are only a suffix (" in block definition").
        token = rest.split(None, 1)[0][:40]
        message = f"unexpected '{token}'{e.msg}"
    diag = Diagnostic(Severity.ERROR, message, loc)
    if isinstance(e, MultipleSpansParseError):
        for span, note in e.refs:
            ref = span.get_location()
            text = note or e.ref_text or "see here"
            diag.with_note(text, SourceLoc(ref.file, ref.line + line_offset, ref.col))
    return diag


_TOKEN = re.compile(r"-?[\w.]+|\S")


def _explain_shape_error(rest: str) -> str | None:
    """Say what is wrong where xDSL only says "Expected shape type."."""
    if (negative := re.match(r"-\d+", rest)) is not None:
        return (
            f"negative dimension {negative.group(0)}: dimensions are non-negative "
            "integers, or '?' for a dynamic one"
        )
    m = _TOKEN.match(rest)
    if m is None:
        return None
    token = m.group(0)
    if token[0].isalpha():
        return (
            f"unknown element type '{token}' (expected a builtin type such as bf16, f16, "
            "f32, i8 or i32)"
        )
    return None


def parse_source(ctx: Context, text: str, name: str = "<stdin>", line_offset: int = 0) -> ModuleOp:
    """
    Parse MLIR text into a module whose ops all carry source locations.

    Raises ``DiagnosticError`` (located) on a parse error or an empty input.
    """
    if not _strip_comments(text).strip():
        raise DiagnosticError(
            [
                Diagnostic(
                    Severity.ERROR,
                    "input holds no operations: expected a module, e.g. a func.func "
                    "with a linalg.matmul",
                    SourceLoc(name, 1 + line_offset, 1),
                )
            ]
        )
    _check_nesting(text, name, line_offset)
    try:
        # The lexer reads the first token on construction, so this can fail too.
        return LocatedParser(ctx, text, name, line_offset).parse_module()
    except ParseError as e:
        # Locations from the parser's own spans count lines within this chunk.
        raise DiagnosticError([parse_error_diagnostic(e, line_offset)]) from None
    except RecursionError:
        raise DiagnosticError(
            [
                Diagnostic(
                    Severity.ERROR,
                    "input nests too deeply to parse (Python recursion limit: regions, "
                    "attributes or types nested thousands deep); flatten the nesting",
                    SourceLoc(name, 1 + line_offset, 1),
                )
            ]
        ) from None


def _check_nesting(text: str, name: str, line_offset: int) -> None:
    """Refuse, located at the first brace too deep, text nested deeper than MAX_NESTING."""
    depth = 0
    for m in _BRACES.finditer(text):
        brace = m.group()
        if brace == "{":
            depth += 1
            if depth > MAX_NESTING:
                head = text[: m.start()]
                line = head.count("\n") + 1
                col = m.start() - (head.rfind("\n") + 1) + 1
                raise DiagnosticError(
                    [
                        Diagnostic(
                            Severity.ERROR,
                            f"input nests regions too deeply: this '{{' opens level "
                            f"{depth:,}, more than the {MAX_NESTING:,} levels qkv-opt reads; "
                            "flatten the nesting",
                            SourceLoc(name, line + line_offset, col),
                        )
                    ]
                )
        elif brace == "}":
            depth = max(0, depth - 1)


def _strip_comments(text: str) -> str:
    return "\n".join(line.split("//", 1)[0] for line in text.splitlines())


MAX_INPUT_BYTES = 256 << 20
"""The largest input the tools read: parsing runs at a few MB/s, and an endless
stream (``/dev/zero``, a pipe that never closes) would otherwise fill the RAM."""


def read_input_bytes(stream: BinaryIO, name: str) -> bytes:
    """The bytes of an input file or stdin; a located error beyond MAX_INPUT_BYTES."""
    data = stream.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise DiagnosticError(
            [
                Diagnostic(
                    Severity.ERROR,
                    f"input is larger than {MAX_INPUT_BYTES:,} B (256 MiB), more MLIR text "
                    "than the tools read (is it an endless stream such as /dev/zero?)",
                    SourceLoc(name, 1, 1),
                )
            ]
        )
    return data


def decode_input(data: bytes, name: str) -> str:
    """UTF-8 text of an input file, or a located error at the first bad byte."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DiagnosticError(
            [
                Diagnostic(
                    Severity.ERROR,
                    f"input is UTF-16 text (byte order mark {data[0]:02X} {data[1]:02X}); "
                    "MLIR files are UTF-8: convert it, e.g. iconv -f UTF-16 -t UTF-8",
                    SourceLoc(name, 1, 1),
                )
            ]
        )
    if data.startswith(b"\xef\xbb\xbf"):
        # mlir-opt refuses it too ("unexpected character"): say what it is.
        raise DiagnosticError(
            [
                Diagnostic(
                    Severity.ERROR,
                    "input starts with a UTF-8 byte order mark (EF BB BF), which MLIR does "
                    "not accept; save the file without it",
                    SourceLoc(name, 1, 1),
                )
            ]
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        head = data[: e.start]
        line = head.count(b"\n") + 1
        col = e.start - (head.rfind(b"\n") + 1) + 1
        raise DiagnosticError(
            [
                Diagnostic(
                    Severity.ERROR,
                    f"input is not valid UTF-8: byte 0x{data[e.start]:02x} at offset "
                    f"{e.start}; MLIR files are UTF-8 text",
                    SourceLoc(name, line, col),
                )
            ]
        ) from None


def verify_module(module: Operation) -> None:
    """
    Verify every op, outermost first, as mlir-opt does.

    Within one isolated-from-above op (a function) verification stops at the first
    invalid op, since what follows may only repeat it; other functions are still
    verified, so one run reports one error per broken function.  Each error is
    located at its op and prefixed with the op's name.  A verifier that raises
    something other than VerifyException (some of xDSL's do) is reported the same
    way instead of escaping as a traceback.
    """
    errors: list[Diagnostic] = []
    _verify_tree(module, errors)
    if not errors:
        _check_dominance(module, set(), errors)
    if errors:
        raise DiagnosticError(errors)


def _check_dominance(op: Operation, visible: set[SSAValue], errors: list[Diagnostic]) -> bool:
    """
    Every operand of the ops in ``op``'s regions is defined before its use.

    MLIR's dominance rule for regions of one block: a value is visible after its
    op in its block and in every region nested there.  xDSL resolves forward
    references while parsing and does not check this, so a use before the
    definition used to reach the passes and the interpreter as a value without
    a definition.  A module's body is a graph region (anything in it is
    visible), as are the regions of unregistered ops; regions of several
    blocks (branches) are not checked.  Returns False after an error, so each
    function reports one.
    """
    for region in op.regions:
        if len(region.blocks) != 1:
            continue
        block = region.block
        added: list[SSAValue] = list(block.args)
        if isinstance(op, ModuleOp | UnregisteredOp):
            added += [r for child in block.ops for r in child.results]
        visible.update(added)
        ok = True
        for child in block.ops:
            if child.has_trait(IsolatedFromAbove):
                _check_dominance(child, set(), errors)
            else:
                late = next((i for i, v in enumerate(child.operands) if v not in visible), None)
                if late is not None:
                    errors.append(_use_before_definition(child, late))
                    ok = False
                    break
                if not _check_dominance(child, visible, errors):
                    ok = False
                    break
            visible.update(child.results)
            added += child.results
        visible.difference_update(added)
        if not ok:
            return False
    return True


def _use_before_definition(op: Operation, index: int) -> Diagnostic:
    # (No SSA name: xDSL keeps ``%part`` of ``%part_3``, which would mislead.)
    value = op.operands[index]
    diag = error_at(
        op,
        f"operand #{index} does not dominate this use: it is defined after this op, "
        "or in a region that does not enclose it",
    ).diagnostics[0]
    owner = value.owner
    if isinstance(owner, Operation):
        diag.with_note("the operand is defined here", op_loc(owner))
    return diag


def _verify_tree(op: Operation, errors: list[Diagnostic]) -> bool:
    try:
        op.verify(verify_nested_ops=False)
    except VerifyException as e:
        errors.extend(error_at(op, _strip_prefix(str(e).split("\n\n")[0])).diagnostics)
        return False
    except Exception as e:  # a verifier bug must not escape as a traceback
        errors.extend(error_at(op, f"failed to verify: {type(e).__name__}: {e}").diagnostics)
        return False
    for region in op.regions:
        for block in region.blocks:
            for child in block.ops:
                if child.has_trait(IsolatedFromAbove):
                    _verify_tree(child, errors)
                elif not _verify_tree(child, errors):
                    return False
    return True


def _strip_prefix(message: str) -> str:
    return message.removeprefix("Operation does not verify: ")


@dataclass(frozen=True)
class Chunk:
    """One ``// -----`` piece of an input file and the line it starts on (0-based)."""

    text: str
    line_offset: int


def split_chunks(text: str, split: bool) -> Sequence[Chunk]:
    """Split on lines that are ``// -----`` (as mlir-opt's --split-input-file)."""
    if not split:
        return [Chunk(text, 0)]
    chunks: list[Chunk] = []
    current: list[str] = []
    start = 0
    for i, line in enumerate(text.splitlines(keepends=True)):
        if line.strip() == "// -----":
            chunks.append(Chunk("".join(current), start))
            current = []
            start = i + 1
            continue
        current.append(line)
    chunks.append(Chunk("".join(current), start))
    return chunks
