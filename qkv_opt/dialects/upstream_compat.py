"""
Make xDSL 0.75 read and write two upstream-MLIR constructs the way mlir-opt does,
and lex string literals in linear time.

1. **Mixed-precision ``linalg.matmul``.**  Upstream defines the named op as
   ``C += cast(A) * cast(B)`` with both inputs converted to C's element type.
   xDSL 0.75 builds the hidden body as ``arith.addf(arith.mulf(a, b), c)`` on the
   raw block arguments, so ``bf16 x bf16 -> f32`` yields ``arith.addf(bf16, f32)``,
   which fails to verify, and the custom syntax it prints cannot be parsed back.
   We build the body upstream builds (``arith.extf`` of each input whose type
   differs from the output, then ``mulf``, then ``addf(out, product)``), so the
   custom form round-trips and the generic form is the one mlir-opt-22 prints.

2. **``scf.parallel`` custom syntax.**  xDSL 0.75 has no parser or printer for
   ``scf.parallel (%i) = (%lb) to (%ub) step (%s) { ... }``; mlir-opt-22 prints
   exactly that, so without it upstream-produced IR could not be read.

3. **String literals in exponential time.**  xDSL 0.75's lexer matches a
   string literal with ``"(?:[^"\\\n\v\f]+|\\(...))*"``: a ``+`` inside a ``*``,
   so a string that is not closed on its line backtracks through every way of
   splitting its characters (30 characters: a minute; 40: hours).  One
   unbalanced quote in an input hung qkv-opt.  The same language without the
   nested quantifier matches in linear time.

Why a patch of xDSL's own op classes rather than subclasses in a private
dialect: plain ``xdsl-opt`` (through qkv-opt's ``xdsl.universe`` plugin) must
read the same files, and a plugin cannot replace the ``linalg`` or ``scf``
dialects xDSL registers (duplicate names raise).  The patch only changes what
xDSL 0.75 gets wrong (a body for mixed element types, a parse that raised, a
generic print), so everything that already worked is unchanged.  ``install()``
is idempotent and runs when ``qkv_opt`` is imported.  Remove it once xDSL
ships both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from xdsl.dialects import arith, scf
from xdsl.dialects.builtin import AnyFloat, IndexType, IntegerType, MemRefType, TensorType
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.irdl import isa
from xdsl.parser import Parser, UnresolvedOperand
from xdsl.printer import Printer
from xdsl.traits import SingleBlockImplicitTerminator, ensure_terminator
from xdsl.utils.exceptions import VerifyException
from xdsl.utils.mlir_lexer import MLIRLexer

_installed = False


# --------------------------------------------------------------------------- #
# linalg.matmul: upstream's body for mixed element types
# --------------------------------------------------------------------------- #


def _element_type(value: SSAValue) -> Attribute:
    t = value.type
    if isa(t, MemRefType | TensorType):
        return t.get_element_type()
    return t


def convert_scalar(value: SSAValue, to: Attribute) -> Operation | None:
    """
    The op upstream linalg's ``cast_signed`` inserts to turn ``value`` into ``to``.

    None when no conversion is needed (or none is defined).
    """
    src = value.type
    if src == to:
        return None
    if isinstance(src, AnyFloat) and isinstance(to, AnyFloat):
        if src.bitwidth < to.bitwidth:
            return arith.ExtFOp(value, to)
        return arith.TruncFOp(value, to)
    if isinstance(src, IntegerType) and isinstance(to, AnyFloat):
        return arith.SIToFPOp(value, to)
    if isinstance(src, AnyFloat) and isa(to, IntegerType):
        return arith.FPToSIOp(value, to)
    if isinstance(src, IntegerType) and isa(to, IntegerType):
        if src.bitwidth < to.bitwidth:
            return arith.ExtSIOp(value, to)
        return arith.TruncIOp(value, to)
    return None


_STRING_LITERAL = re.compile(r'"(?:[^"\\\n\v\f]|\\(?:["nt\\]|[0-9A-Fa-f]{2}))*"')
"""xDSL's string-literal pattern, one character per repetition (see note 3)."""

_xdsl_matmul_region = linalg.MatmulOp.get_hidden_region


def _matmul_hidden_region(
    cls: type[linalg.MatmulOp], inputs: Sequence[SSAValue], outputs: Sequence[SSAValue]
) -> Region:
    """Upstream's body: ``out + cast(a) * cast(b)`` in the output's element type."""
    arg_types = [_element_type(v) for v in (*inputs, *outputs)]
    for t in arg_types:
        if not isinstance(t, AnyFloat | IntegerType):
            # xDSL's body builder asserts (a bare AssertionError) on these.
            raise VerifyException(
                f"linalg.matmul on {t} elements: its body (C += A * B) is built for "
                "integer and floating-point element types only"
            )
    if len(arg_types) != 3 or len(set(arg_types)) == 1:
        return _xdsl_matmul_region(inputs, outputs)
    out_type = arg_types[-1]
    block = Block(arg_types=arg_types)
    operands: list[SSAValue] = []
    for arg in block.args[:2]:
        conversion = convert_scalar(arg, out_type)
        if conversion is None:
            operands.append(arg)
            continue
        block.add_op(conversion)
        operands.append(conversion.results[0])
    if isinstance(out_type, AnyFloat):
        product: Operation = arith.MulfOp(operands[0], operands[1])
        mac: Operation = arith.AddfOp(block.args[2], product.results[0])
    else:
        product = arith.MuliOp(operands[0], operands[1])
        mac = arith.AddiOp(block.args[2], product.results[0])
    block.add_ops([product, mac, linalg.YieldOp(mac.results[0])])
    return Region(block)


# --------------------------------------------------------------------------- #
# scf.parallel: upstream's custom syntax
# --------------------------------------------------------------------------- #


def _print_parallel(self: scf.ParallelOp, printer: Printer) -> None:
    """``scf.parallel (%i, ...) = (%lb, ...) to (%ub, ...) step (%s, ...) [init (...) -> types] {``."""
    printer.print_string(" (")
    printer.print_list(self.body.block.args, printer.print_ssa_value)
    printer.print_string(") = (")
    printer.print_list(self.lowerBound, printer.print_ssa_value)
    printer.print_string(") to (")
    printer.print_list(self.upperBound, printer.print_ssa_value)
    printer.print_string(") step (")
    printer.print_list(self.step, printer.print_ssa_value)
    printer.print_string(")")
    if self.initVals:
        printer.print_string(" init (")
        printer.print_list(self.initVals, printer.print_ssa_value)
        printer.print_string(") -> ")
        types = [v.type for v in self.initVals]
        if len(types) == 1:
            printer.print_attribute(types[0])
        else:
            printer.print_string("(")
            printer.print_list(types, printer.print_attribute)
            printer.print_string(")")
    printer.print_string(" ")
    printer.print_region(self.body, print_entry_block_args=False, print_block_terminators=True)
    if self.attributes:
        printer.print_op_attributes(self.attributes)


def _parse_parallel(cls: type[scf.ParallelOp], parser: Parser) -> scf.ParallelOp:
    ivs = parser.parse_comma_separated_list(
        Parser.Delimiter.PAREN, lambda: parser.parse_argument(expect_type=False)
    )
    parser.parse_punctuation("=")

    def operand_list() -> list[UnresolvedOperand]:
        return parser.parse_comma_separated_list(
            Parser.Delimiter.PAREN, parser.parse_unresolved_operand
        )

    index = IndexType()
    pos = parser.pos
    lbs = operand_list()
    parser.parse_keyword("to")
    ubs = operand_list()
    parser.parse_keyword("step")
    steps = operand_list()
    if not len(ivs) == len(lbs) == len(ubs) == len(steps):
        parser.raise_error(
            f"scf.parallel has {len(ivs)} induction variables but "
            f"{len(lbs)} lower bounds, {len(ubs)} upper bounds and {len(steps)} steps",
            pos,
            parser.pos,
        )
    init_vals: Sequence[SSAValue] = ()
    if parser.parse_optional_keyword("init"):
        init_pos = parser.pos
        unresolved_inits = operand_list()
        parser.parse_punctuation("->")
        if parser.parse_optional_punctuation("(") is not None:
            types = parser.parse_comma_separated_list(Parser.Delimiter.NONE, parser.parse_type)
            parser.parse_punctuation(")")
        else:
            types = [parser.parse_type()]
        init_vals = parser.resolve_operands(unresolved_inits, types, init_pos)

    def resolve(ops: list[UnresolvedOperand]) -> list[SSAValue]:
        return [parser.resolve_operand(o, index) for o in ops]

    body = parser.parse_region([iv.resolve(index) for iv in ivs])
    attrs = parser.parse_optional_attr_dict()
    op = cls(resolve(lbs), resolve(ubs), resolve(steps), body, init_vals)
    op.attributes |= attrs
    for trait in op.get_traits_of_type(SingleBlockImplicitTerminator):
        ensure_terminator(op, trait)
    return op


def install() -> None:
    """Apply the three fixes to xDSL's classes (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    setattr(linalg.MatmulOp, "get_hidden_region", classmethod(_matmul_hidden_region))
    setattr(scf.ParallelOp, "print", _print_parallel)
    setattr(scf.ParallelOp, "parse", classmethod(_parse_parallel))
    setattr(MLIRLexer, "_unescaped_characters_regex", _STRING_LITERAL)
