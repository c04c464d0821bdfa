"""
``cube-matmul``: ``linalg.matmul`` -> the cube split-K form of facts F1.1.

The data path is GM -> L1 (``tile.load``) -> L0A / L0B (``tile.move``) -> cube
(``tile.matmul`` / ``tile.matmul_acc`` into an f32 L0C accumulator) -> GM
(``tile.store ... atomic add``).  See docs/passes/cube-matmul.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import lcm

from xdsl.context import Context
from xdsl.dialects import arith, scf
from xdsl.dialects.builtin import BFloat16Type, Float32Type, ModuleOp
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Block, Region, SSAValue
from xdsl.passes import ModulePass

from qkv_opt.analysis.target_rules import (
    check_tile_alignment,
    cube_dtype_error,
    cube_extent_error,
    row_multiple,
)
from qkv_opt.dialects.targets import DEFAULT_TARGET, Target, get_target
from qkv_opt.dialects.tile import (
    AtomicKind,
    FullOp,
    Layout,
    LoadOp,
    MatmulAccOp,
    MatmulOp,
    MemorySpace,
    MoveOp,
    StoreOp,
    TileType,
    Unit,
    dtype_bytes,
    dtype_name,
)
from qkv_opt.passes.lowering_utils import (
    ALIGN,
    GmMatmul,
    IndexConstants,
    LoweringBuilder,
    TaskNamer,
    ceil_to,
    detached_ops,
    erase_fill,
    erase_if_empty,
    fill_before,
    fill_constant,
    match_gm_matmul,
    place_before,
    requested_unit,
    run_target_checks,
)
from qkv_opt.utils.diagnostics import error_at

_L1, _L0A, _L0B, _L0C, _UB = (
    MemorySpace.L1,
    MemorySpace.L0A,
    MemorySpace.L0B,
    MemorySpace.L0C,
    MemorySpace.UB,
)


@dataclass(frozen=True)
class _Extent:
    """
    How much of a ``size``-wide tile holds data at one position of one axis.

    ``value`` is None when the tile is always full (no ``valid`` needed), a
    constant when it is the same everywhere (a batch of 1 in a 16-row tile), and
    an ``arith.minsi`` of the remaining extent otherwise (a tail block).
    """

    value: SSAValue | None

    @staticmethod
    def of(b: LoweringBuilder, total: int, size: int, offset: SSAValue, name: str) -> _Extent:
        if total % size == 0:
            return _Extent(None)
        if total < size:
            return _Extent(b.index(total))
        rest = b.value(arith.SubiOp(b.index(total), offset), f"{name}_rest")
        return _Extent(b.value(arith.MinSIOp(rest, b.index(size)), name))


def _valid(
    rows: _Extent, cols: _Extent, b: LoweringBuilder, shape: tuple[int, int]
) -> list[SSAValue]:
    """``valid(rows, cols)`` operands, or none when the block is full."""
    if rows.value is None and cols.value is None:
        return []
    r = rows.value if rows.value is not None else b.index(shape[0])
    c = cols.value if cols.value is not None else b.index(shape[1])
    return [r, c]


@dataclass(frozen=True)
class _Tiles:
    """The extents one matmul is lowered with (the options, shrunk to its shape)."""

    tm: int
    tn: int
    tk: int
    k_slice: int
    step: int
    """K-depth of one L1 -> L0A / L0B move and one cube instruction."""


@dataclass(frozen=True)
class CubeMatmulPass(ModulePass):
    """
    Lower ``linalg.matmul`` to cube split-K tasks with atomic-add stores (F1.1).

    Every ``linalg.matmul`` on static 2-D GM memrefs (except those marked
    ``tile.unit = "vector"``, left for ``aiv-rowsum``) becomes one
    ``tile.task cube`` per (M-tile, N-tile, split-K slice), launched by an
    ``scf.parallel``.  Each task accumulates its ``k-slice``-deep slice in
    ``tk``-deep chunks loaded into L1, moved to L0A / L0B in k-steps that fit
    their 64 KiB, into an f32 L0C accumulator that it adds to C atomically:

    ```mlir
    tile.task cube "k_proj_0" {
      %a_l1 = tile.load %x[%c0, %s0] valid(%c1, %c256)
          : memref<1x5120xbf16> -> !tile.tile<16x256xbf16, l1>
      %b_l1 = tile.load %wk[%s0, %n0] : memref<5120x1024xbf16> -> !tile.tile<256x256xbf16, l1>
      %a_l0 = tile.move %a_l1[%c0, %c0] : !tile.tile<16x256xbf16, l1> -> !tile.tile<16x128xbf16, l0a>
      %b_l0 = tile.move %b_l1[%c0, %c0] : !tile.tile<256x256xbf16, l1> -> !tile.tile<128x256xbf16, l0b>
      %acc0 = tile.matmul %a_l0, %b_l0 : ... -> !tile.tile<16x256xf32, l0c>
      ... tile.matmul_acc over the remaining k-steps and chunks ...
      tile.store %acc, %k[%c0, %n0] valid(%c1, %c256) atomic add
          : !tile.tile<16x256xf32, l0c> -> memref<1x1024xf32>
    }
    ```

    The batch is padded to ``tm`` rows by the zero-filling ``valid`` loads and
    never reaches C (the store writes ``valid`` rows only); N and K tails are
    zero-padded the same way.  Atomic adds onto C compute ``C += A * B``
    exactly, so C's initial value is honoured; a ``linalg.fill`` of C just
    before the matmul (F1.1's seed) is lowered into ``tile.full`` +
    ``tile.store`` vector tasks.
    """

    name = "cube-matmul"

    tm: int = 16
    """Rows per task: the batch is padded to this (a multiple of the cube's 16-row fractal)."""

    tn: int = 256
    """Output columns per task (N-tile)."""

    tk: int = 256
    """K-depth of one L1 chunk."""

    k_slice: int = 1024
    """K-depth of one split-K slice (one task); a multiple of tk."""

    target: str = DEFAULT_TARGET
    """The NPU whose rules and capacities the result must satisfy."""

    def __post_init__(self) -> None:
        target = get_target(self.target)  # ValueError naming the known targets
        for option in ("tm", "tn", "tk", "k_slice"):
            value = getattr(self, option)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"{option.replace('_', '-')} must be a positive integer, got {value}"
                )
        # The fractal rules, in check-target's words, for the narrowest (2-byte)
        # inputs: A [tm, tk] in L0A, B [tk, tn] in L0B, the f32 [tm, tn] in L0C.
        # (B is moved in k-steps that fit L0B, so only its shape rule applies.)
        bf16, f32 = BFloat16Type(), Float32Type()
        row = Layout.ROW_MAJOR
        for shape, elem, space, origin in (
            ((self.tm, self.tk), bf16, _L0A, ("tm", "tk")),
            ((self.tk, self.tn), bf16, _L0B, ("tk", "tn")),
            ((self.tm, self.tn), f32, _L0C, ("tm", "tn")),
        ):
            problem = check_tile_alignment(shape, elem, space, row, target, origin=origin)
            if problem is not None:
                raise ValueError(problem)
        if self.k_slice % self.tk:
            raise ValueError(
                f"k-slice={self.k_slice} is not a multiple of tk={self.tk}: a split-K slice "
                "is a whole number of L1 chunks"
            )
        problem = cube_extent_error(self.tm, min(self.tk, target.cube_max_extent), self.tn, target)
        if problem is not None:
            raise ValueError(f"tm={self.tm}, tn={self.tn}: {problem}")
        l0c = target.capacity[_L0C]
        if self.tm * self.tn * 4 > l0c:
            raise ValueError(
                f"the [{self.tm}, {self.tn}] f32 accumulator is {self.tm * self.tn * 4:,} B, "
                f"more than the {l0c:,} B of L0C on {target.name}; lower tm or tn"
            )

    # ------------------------------------------------------------------ #

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        target = get_target(self.target)
        namer = TaskNamer.for_module(op)
        lowered = False
        for matmul in [m for m in op.walk() if isinstance(m, linalg.MatmulOp)]:
            if requested_unit(matmul) == Unit.VECTOR:
                continue  # left for aiv-rowsum
            mm = match_gm_matmul(matmul)
            if isinstance(mm, str):
                raise error_at(matmul, f"cannot be lowered to the cube: {mm}")
            if erase_if_empty(mm):
                continue
            self._lower(mm, target, namer.next(matmul))
            lowered = True
        if lowered:
            run_target_checks(op, target)

    def _tiles(self, mm: GmMatmul, target: Target) -> _Tiles:
        """
        The tile extents for one matmul: the options, shrunk to the problem.

        tn and tk never exceed N and K rounded up to 16 (a 40-column output gets
        a 48-wide tile, not a 256-wide one of zeros), k-slice stays a multiple
        of tk.  The move step is the K-depth of one L1 -> L0A / L0B move: the
        largest multiple of 16 (32 for i8) that divides tk with [tm, step] in L0A and
        [step, tn] in L0B.  A [tk=256, tn=256] bf16 chunk is 128 KiB, twice L0B's
        64 KiB, so it is moved and multiplied in two 128-deep steps.
        """
        # Shrunk extents stay whole fractals and whole 32 B L1 rows: multiples of
        # 16, or of 32 for i8 (a 32 B row holds 32 of them).
        grain = lcm(ALIGN, row_multiple(mm.a_elem, target))
        tn = min(self.tn, ceil_to(mm.n, grain))
        tk = min(self.tk, ceil_to(mm.k, grain))
        k_slice = min(self.k_slice, ceil_to(mm.k, tk))
        elem = dtype_bytes(mm.a_elem)
        l0a, l0b = target.capacity[_L0A], target.capacity[_L0B]
        for step in range(tk // grain * grain, 0, -grain):
            if (
                tk % step == 0
                and step * tn * elem <= l0b
                and self.tm * step * elem <= l0a
                and step <= target.cube_max_extent
            ):
                return _Tiles(self.tm, tn, tk, k_slice, step)
        raise error_at(
            mm.op,
            f"cannot lower {mm.shape_str} to the cube: even a 16-deep k-step "
            f"[16, {tn}] of {dtype_name(mm.a_elem)} is {16 * tn * elem} B, more "
            f"than the {l0b:,} B of L0B on {target.name}; lower tn",
        )

    def _check_types(self, mm: GmMatmul, target: Target) -> None:
        """The cube multiplies one input type into its accumulator type, which C must be."""
        a, b = dtype_name(mm.a_elem), dtype_name(mm.b_elem)
        legal = ", ".join(f"{i} x {i} -> {o}" for i, o in target.cube_dtypes.items())
        if a != b:
            raise error_at(
                mm.op,
                f"cannot lower {mm.shape_str} to the cube: its operands must have one "
                f"element type (legal on {target.name}: {legal})",
            )
        problem = cube_dtype_error(mm.a_elem, mm.c_elem, target)
        if problem is not None:
            raise error_at(
                mm.op,
                f"cannot lower {mm.shape_str} to the cube: {problem} (L0C reaches GM "
                "unconverted, so C must have the accumulator type)",
            )

    # ------------------------------------------------------------------ #

    def _lower(self, mm: GmMatmul, target: Target, name: str) -> None:
        self._check_types(mm, target)
        tiles = self._tiles(mm, target)
        consts = IndexConstants.for_function(mm.op)
        top = LoweringBuilder(Block(), mm.op.location, consts)
        fill = fill_before(mm.op, mm.c)
        if fill is not None:
            self._seed(top, mm, tiles, fill_constant(fill), f"{name}_seed")
        self._tasks(top, mm, tiles, name)
        place_before(mm.op, consts, detached_ops(top.block))
        mm.op.detach()
        mm.op.erase()
        if fill is not None:
            erase_fill(fill)

    @staticmethod
    def _grid(
        b: LoweringBuilder, mm: GmMatmul, tiles: _Tiles, with_k: bool
    ) -> tuple[LoweringBuilder, SSAValue, SSAValue, SSAValue | None]:
        """An ``scf.parallel`` over (M-tiles when M > tm,) N-tiles (, K slices)."""
        c0 = b.index(0)
        dims: list[tuple[int, int, str]] = []
        if mm.m > tiles.tm:
            dims.append((mm.m, tiles.tm, "m0"))
        dims.append((mm.n, tiles.tn, "n0"))
        if with_k:
            dims.append((mm.k, tiles.k_slice, "s0"))
        body = Block(arg_types=[c0.type] * len(dims))
        for arg, (_, _, iv) in zip(body.args, dims):
            arg.name_hint = iv
        par = scf.ParallelOp(
            [c0] * len(dims),
            [b.index(total) for total, _, _ in dims],
            [b.index(size) for _, size, _ in dims],
            Region(body),
        )
        b.add(par)
        ivs = dict(zip((iv for _, _, iv in dims), body.args))
        return b.nested(body), ivs.get("m0", c0), ivs["n0"], ivs.get("s0")

    def _seed(
        self, b: LoweringBuilder, mm: GmMatmul, tiles: _Tiles, value: float, name: str
    ) -> None:
        """The lowered fill: one vector task per output block stores a tile.full."""
        inner, m0, n0, _ = self._grid(b, mm, tiles, with_k=False)
        _, t = inner.task(Unit.VECTOR, name)
        shape = (min(mm.m, tiles.tm), tiles.tn)
        m_valid = _Extent.of(t, mm.m, tiles.tm, m0, "m_valid") if mm.m > tiles.tm else _Extent(None)
        n_valid = _Extent.of(t, mm.n, tiles.tn, n0, "n_valid")
        seed = t.value(FullOp.get(value, TileType(shape, mm.c_elem, _UB)), "seed")
        t.add(StoreOp(seed, mm.c, [m0, n0], _valid(m_valid, n_valid, t, shape)))
        inner.close_parallel()

    def _tasks(self, b: LoweringBuilder, mm: GmMatmul, tiles: _Tiles, name: str) -> None:
        inner, m0, n0, s0 = self._grid(b, mm, tiles, with_k=True)
        assert s0 is not None
        _, t = inner.task(Unit.CUBE, name)
        tm, tn, tk, step = tiles.tm, tiles.tn, tiles.tk, tiles.step
        c0 = t.index(0)
        m_valid = _Extent.of(t, mm.m, tm, m0, "m_valid")
        n_valid = _Extent.of(t, mm.n, tn, n0, "n_valid")
        a_l1_type = TileType((tm, tk), mm.a_elem, _L1)
        b_l1_type = TileType((tk, tn), mm.b_elem, _L1)
        a_l0_type = TileType((tm, step), mm.a_elem, _L0A)
        b_l0_type = TileType((step, tn), mm.b_elem, _L0B)
        acc_type = TileType((tm, tn), mm.c_elem, _L0C)

        def load_chunk(b: LoweringBuilder, k0: SSAValue) -> tuple[SSAValue, SSAValue]:
            k_valid = _Extent.of(b, mm.k, tk, k0, "k_valid")
            a_valid = _valid(m_valid, k_valid, b, (tm, tk))
            b_valid = _valid(k_valid, n_valid, b, (tk, tn))
            a_l1 = b.value(LoadOp(mm.a, [m0, k0], a_l1_type, a_valid), "a_l1")
            b_l1 = b.value(LoadOp(mm.b, [k0, n0], b_l1_type, b_valid), "b_l1")
            return a_l1, b_l1

        def mma(
            b: LoweringBuilder, a_l1: SSAValue, b_l1: SSAValue, kk: SSAValue, acc: SSAValue | None
        ) -> SSAValue:
            a_l0 = b.value(MoveOp(a_l1, [c0, kk], a_l0_type), "a_l0")
            b_l0 = b.value(MoveOp(b_l1, [kk, c0], b_l0_type), "b_l0")
            if acc is None:
                return b.value(MatmulOp(a_l0, b_l0, acc_type), "acc0")
            return b.value(MatmulAccOp(acc, a_l0, b_l0), "acc_next")

        def steps(
            b: LoweringBuilder, a_l1: SSAValue, b_l1: SSAValue, first: int, acc: SSAValue
        ) -> SSAValue:
            """matmul_acc over the k-steps [first, tk) of one L1 chunk."""
            if first >= tk:
                return acc
            if tk - first == step:
                return mma(b, a_l1, b_l1, b.index(first), acc)
            lb, ub, st = b.index(first), b.index(tk), b.index(step)
            body, inner, kk, acc_in = b.for_loop(lb, ub, st, acc, "kk", "acc")
            acc_next = mma(inner, a_l1, b_l1, kk, acc_in)
            return b.end_for(body, inner, lb, ub, st, acc, acc_next, "acc_c")

        # The first k-step of the slice starts the L0C accumulator (tile.matmul).
        a_l1, b_l1 = load_chunk(t, s0)
        acc = mma(t, a_l1, b_l1, c0, None)
        acc = steps(t, a_l1, b_l1, step, acc)
        # The slice's remaining chunks: [s0 + tk, min(s0 + k-slice, K)).
        if tiles.k_slice > tk:
            k1 = t.value(arith.AddiOp(s0, t.index(tk)), "k1")
            if mm.k % tiles.k_slice == 0:
                s_end = t.value(arith.AddiOp(s0, t.index(tiles.k_slice)), "s_end")
            else:
                s_next = t.value(arith.AddiOp(s0, t.index(tiles.k_slice)), "s_next")
                s_end = t.value(arith.MinSIOp(s_next, t.index(mm.k)), "s_end")
            st = t.index(tk)
            body, loop, k0, acc_in = t.for_loop(k1, s_end, st, acc, "k0", "acc")
            a_l1, b_l1 = load_chunk(loop, k0)
            acc_next = steps(loop, a_l1, b_l1, 0, acc_in)
            acc = t.end_for(body, loop, k1, s_end, st, acc, acc_next, "acc_s")
        store_valid = _valid(m_valid, n_valid, t, (tm, tn))
        t.add(StoreOp(acc, mm.c, [m0, n0], store_valid, AtomicKind.ADD))
        inner.close_parallel()
