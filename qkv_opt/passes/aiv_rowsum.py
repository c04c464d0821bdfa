"""
``aiv-rowsum``: small-batch ``linalg.matmul`` -> the AIV transposed row-sum form.

The vector unit cannot load a column ``W[:, n]`` of a row-major GM array (its
TLOAD moves ND2ND / DN2DN / NZ2NZ blocks, not strided columns), so the form of
facts F1.2 loads a ``[kc, nv]`` block of W, transposes it on chip (every output
column becomes a contiguous row) and reduces rows.  See docs/passes/aiv-rowsum.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import cast

from xdsl.context import Context
from xdsl.dialects import scf
from xdsl.dialects.builtin import BFloat16Type, MemRefType, ModuleOp
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Attribute, Block, Operation, SSAValue
from xdsl.passes import ModulePass

from qkv_opt.analysis.memory_plan import plan_task
from qkv_opt.analysis.target_rules import (
    aiv_rowsum_option_error,
    check_tile_alignment,
    row_multiple,
)
from qkv_opt.dialects.targets import DEFAULT_TARGET, Target, get_target
from qkv_opt.dialects.tile import (
    AddOp,
    CastOp,
    ColExpandMulOp,
    ColExpandOp,
    ExtractOp,
    FullOp,
    InsertOp,
    Layout,
    LoadOp,
    MemorySpace,
    MulOp,
    ReshapeOp,
    RowSumOp,
    StoreOp,
    TaskOp,
    TileType,
    TransposeOp,
    Unit,
    dtype_name,
)
from qkv_opt.passes.lowering_utils import (
    ALIGN,
    GmMatmul,
    IndexConstants,
    LoweringBuilder,
    TaskNamer,
    alignment_problem,
    cast_epilogue,
    detached_ops,
    drop,
    enclosing,
    erase_fill,
    erase_if_empty,
    fill_before,
    fill_constant,
    first_misaligned,
    is_float,
    match_gm_matmul,
    place_before,
    requested_unit,
    run_target_checks,
    transposed_weight,
)
from qkv_opt.utils.diagnostics import DiagnosticError, error_at

KC_AUTO_MAX = 1024
"""kc=auto never goes above this: the reference kernel's K-block (F1.2)."""

_UB = MemorySpace.UB


@dataclass(frozen=True)
class _Form:
    """The static choices of one lowering: tile extents and how C starts."""

    mm: GmMatmul
    nv: int
    kc: int
    rows: int
    """Rows of the x block and the accumulator: 1, or M padded for the col-major row_sum."""
    init: float | None
    """The constant C was filled with just before (the accumulator starts as it), or None."""
    name: str
    w_rows: SSAValue | None = None
    """W as [N, K] (B is its transpose): its [nv, kc] blocks are already transposed."""
    out: SSAValue | None = None
    """Where the result goes, converted to its element type: C, or an absorbed epilogue's output."""

    @property
    def batched(self) -> bool:
        return self.mm.m > 1


@dataclass(frozen=True)
class AivRowSumPass(ModulePass):
    """
    Lower ``linalg.matmul`` with M <= max-batch to vector-unit row-sum tasks.

    Every ``linalg.matmul`` ``C[M, N] += A[M, K] * B[K, N]`` on static 2-D GM
    memrefs with M <= ``max-batch`` becomes one ``tile.task vector`` per
    ``nv``-column N sub-tile, launched by an ``scf.parallel``, each running an
    ``scf.for`` over ``kc``-deep K-blocks.  ``tile.unit = "cube"`` keeps a
    matmul for ``cube-matmul``; ``tile.unit = "vector"`` forces the lowering
    whatever M is (and a forced matmul that cannot be lowered is an error).

    Batch 1 (facts F1.2), per K-block::

    ```mlir
    %x_blk = tile.load %x[%c0, %k0] : memref<1x5120xbf16> -> !tile.tile<1x1024xbf16, ub>
    %x_f32 = tile.cast %x_blk : !tile.tile<1x1024xbf16, ub> -> !tile.tile<1x1024xf32, ub>
    %w_blk = tile.load %wk[%k0, %n0] : memref<5120x1024xbf16> -> !tile.tile<1024x16xbf16, ub>
    %w_f32 = tile.cast %w_blk : !tile.tile<1024x16xbf16, ub> -> !tile.tile<1024x16xf32, ub>
    %w_t = tile.transpose %w_f32 : !tile.tile<1024x16xf32, ub> -> !tile.tile<16x1024xf32, ub>
    %x_rows = tile.col_expand %x_f32 : !tile.tile<1x1024xf32, ub> -> !tile.tile<16x1024xf32, ub>
    %prod = tile.mul %w_t, %x_rows : !tile.tile<16x1024xf32, ub>
    %part = tile.row_sum %prod : !tile.tile<16x1024xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
    %part_row = tile.reshape %part : !tile.tile<16x1xf32, ub, col_major> -> !tile.tile<1x16xf32, ub>
    %acc_next = tile.add %acc, %part_row : !tile.tile<1x16xf32, ub>
    ```

    Batch B > 1 transposes the W block once and reuses it for every row: an
    inner ``scf.for`` over the nv columns ``tile.extract``s ``wT[n, :]``,
    multiplies it into ``x[B, kc]`` (``tile.col_expand_mul``), row-sums and
    ``tile.insert``s the ``[B, 1]`` column into the block's ``[B, nv]`` sum.

    The accumulator starts as a ``tile.load`` of C (linalg.matmul is
    ``C += A * B``), or as ``tile.full 0.0`` when a ``linalg.fill`` of zero into
    C immediately precedes the matmul (the fill is then dead and erased).
    K or N tails become peeled blocks with their own exact tile shapes when
    they satisfy the 32-byte row rule, otherwise the pass fails on the matmul.

    What the PyTorch frontend emits around ``nn.Linear`` is absorbed: a
    ``linalg.transpose`` of an [N, K] weight into B (its rows are loaded as the
    transposed blocks, no transpose is left), and an f32 C buffer converted into
    the result by an elementwise ``linalg.generic`` (the accumulator is cast
    before the store).
    """

    name = "aiv-rowsum"

    nv: int = 16
    """Output columns per task (N sub-tile); nv x element size must be a multiple of 32 B."""

    kc: str | int = "auto"
    """K-block depth: a multiple of 16, or ``auto`` (largest that fits UB, at most 1024)."""

    max_batch: int = 16
    """Lower matmuls with M up to this many rows (``tile.unit = "vector"`` overrides)."""

    target: str = DEFAULT_TARGET
    """The NPU whose rules and capacities the result must satisfy."""

    def __post_init__(self) -> None:
        # Option errors surface as `error: bad option for pass 'aiv-rowsum': ...`.
        if isinstance(self.nv, bool) or not isinstance(self.nv, int) or self.nv < 1:
            raise ValueError(f"nv must be a positive integer, got {self.nv}")
        kc = self.kc
        if isinstance(kc, str):
            if kc != "auto":
                raise ValueError(f"kc must be 'auto' or a positive multiple of 16, got '{kc}'")
        elif isinstance(kc, bool) or kc < 1:
            raise ValueError(f"kc must be 'auto' or a positive multiple of 16, got {kc}")
        elif kc % ALIGN:
            # Whatever the input type: a K-block is whole 32 B of the narrowest
            # (2-byte) inputs, and the words are check-target's own.
            x_block = check_tile_alignment(
                (1, kc),
                BFloat16Type(),
                _UB,
                Layout.ROW_MAJOR,
                get_target(self.target),
                origin=(None, "kc"),
            )
            raise ValueError(f"kc={kc} is not a multiple of {ALIGN}: for a bf16 input, {x_block}")
        if isinstance(self.max_batch, bool) or self.max_batch < 1:
            raise ValueError(f"max-batch must be a positive integer, got {self.max_batch}")
        get_target(self.target)  # ValueError naming the known targets

    # ------------------------------------------------------------------ #

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        target = get_target(self.target)
        namer = TaskNamer.for_module(op)
        matmuls = [m for m in op.walk() if isinstance(m, linalg.MatmulOp)]
        memo: dict[tuple[object, ...], int] = {}  # kc=auto per matmul signature
        lowered = False
        for matmul in matmuls:
            mm = self._select(matmul)
            if mm is None or erase_if_empty(mm):
                continue
            self._lower(mm, target, namer.next(matmul), memo)
            lowered = True
        if lowered:
            run_target_checks(op, target)

    def _select(self, op: linalg.MatmulOp) -> GmMatmul | None:
        """The matmul to lower, None to leave it; a forced one that cannot be lowered fails."""
        unit = requested_unit(op)
        if unit == Unit.CUBE:
            return None
        forced = unit == Unit.VECTOR
        mm = match_gm_matmul(op)
        if isinstance(mm, str):
            if forced:
                raise error_at(op, f'has tile.unit = "vector" but cannot be lowered: {mm}')
            return None
        problem = self._dtype_problem(mm, get_target(self.target))
        if problem is not None:
            if forced:
                raise error_at(op, f'has tile.unit = "vector" but cannot be lowered: {problem}')
            return None
        if mm.m > self.max_batch and not forced:
            return None
        return mm

    @staticmethod
    def _dtype_problem(mm: GmMatmul, target: Target) -> str | None:
        out = dtype_name(mm.c_elem)
        if not all(is_float(t) for t in (mm.a_elem, mm.b_elem, mm.c_elem)):
            return f"{mm.shape_str}: the row-sum form lowers floating-point matmuls only"
        if out not in target.vector_dtypes or out not in target.reduce_dtypes:
            usable = sorted(target.vector_dtypes & target.reduce_dtypes)
            return (
                f"{mm.shape_str}: the vector unit of {target.name} has no {out} "
                f"multiply / row_sum (it accumulates in {', '.join(usable)})"
            )
        return None

    # ------------------------------------------------------------------ #

    def _rows(self, mm: GmMatmul, target: Target) -> int:
        """
        Rows of the batch form's tiles: M, or M padded with zero rows.

        row_sum of [B, kc] gives a col_major [B, 1] tile, whose contiguous axis
        (B elements) must be whole 32 B blocks: B = 3 in f32 is padded to 8.
        Padding rows are loaded as zeros (``valid``) and never stored.
        """
        if mm.m == 1:
            return 1
        rows = mm.m
        while alignment_problem(TileType((rows, 1), mm.c_elem, _UB, Layout.COL_MAJOR), target):
            rows += 1
        return rows

    def _lower(
        self, mm: GmMatmul, target: Target, name: str, memo: dict[tuple[object, ...], int]
    ) -> None:
        explicit_kc = None if isinstance(self.kc, str) else self.kc
        weight = transposed_weight(mm)
        problem = aiv_rowsum_option_error(
            self.nv,
            explicit_kc,
            target,
            max_batch=self.max_batch,
            # A W read as [N, K] rows is loaded [nv, kc]: nv is then not a row.
            element_type=mm.b_elem if weight is None else mm.c_elem,
            accumulator_type=mm.c_elem,
            kc_auto_max=min(KC_AUTO_MAX, mm.k),
        )
        if problem is not None:
            raise error_at(mm.op, f"cannot lower {mm.shape_str} to the row-sum form: {problem}")
        fill = fill_before(mm.op, mm.c)
        init = None if fill is None else fill_constant(fill)
        epilogue = cast_epilogue(mm, fill)
        rows = self._rows(mm, target)
        form = _Form(
            mm,
            self.nv,
            self.kc if isinstance(self.kc, int) else 0,
            rows,
            init,
            name,
            w_rows=None if weight is None else weight.rows,
            out=mm.c if epilogue is None else epilogue.out,
        )
        consts = IndexConstants.for_function(mm.op)
        ops: list[Operation] | None = None
        if isinstance(self.kc, str):
            key = (
                (mm.m, mm.k, mm.n, rows),
                (mm.a_elem, mm.b_elem, mm.c_elem, None if epilogue is None else epilogue.out_elem),
                (init is None, weight is None),
            )
            kc = memo.get(key)
            if kc is None:
                # Optimistically build with the largest candidate (it fits at
                # batch 1); search only when it does not.
                form = replace(form, kc=self._kc_top(mm))
                ops = self._checked_build(form, consts, target)
                if self._fits(ops, target):
                    kc = form.kc
                else:
                    drop(ops)
                    drop(consts.take())
                    ops = None
                    kc = self._auto_kc(form, target)
                memo[key] = kc
            form = replace(form, kc=kc)
        if ops is None:
            ops = self._checked_build(form, consts, target)
        place_before(mm.op, consts, ops)
        mm.op.detach()
        mm.op.erase()
        if fill is not None:
            erase_fill(fill)
        if epilogue is not None:
            epilogue.erase(mm.c)
        if weight is not None:
            weight.erase(mm.b)

    def _checked_build(
        self, form: _Form, consts: IndexConstants, target: Target
    ) -> list[Operation]:
        """The lowered ops, or a located error on the matmul when a block breaks the row rule."""
        ops = self._build(form, consts)
        bad = first_misaligned(ops, target)
        if bad is not None:
            error = self._alignment_error(form, *bad, target)
            drop(ops)
            raise error
        return ops

    @staticmethod
    def _fits(ops: list[Operation], target: Target) -> bool:
        tasks = [t for top in ops for t in top.walk() if isinstance(t, TaskOp)]
        return all(plan_task(t, target).fits(target) for t in tasks)

    @staticmethod
    def _kc_top(mm: GmMatmul) -> int:
        """The largest kc=auto candidate: 1024, or K rounded up to 16 when smaller."""
        return min(KC_AUTO_MAX, -(-mm.k // ALIGN) * ALIGN)

    def _auto_kc(self, form: _Form, target: Target) -> int:
        """
        The largest multiple of 16 below ``_kc_top`` (which does not fit) whose task fits UB.

        Each probe builds the real task for a candidate kc and asks the memory
        planner check-target uses (``plan_task``), so the choice cannot drift
        from the check.  Every tile grows with kc, so the footprint is monotonic
        in kc; it is also close to linear, so a probe at half the largest
        candidate predicts the answer and two more confirm it, with a bisection
        of what is left if they do not.
        """
        top = self._kc_top(form.mm)
        cap = target.capacity[_UB]
        peaks: dict[int, int] = {}

        def peak(kc: int) -> int:
            if kc not in peaks:
                peaks[kc] = self._peak(replace(form, kc=kc), target)
            return peaks[kc]

        def fits(kc: int) -> bool:
            return peak(kc) <= cap

        def bisect(lo: int, hi: int) -> int:
            """The largest fitting kc in [lo, hi), given fits(lo) and not fits(hi)."""
            while hi - lo > ALIGN:
                mid = (lo + hi) // 2 // ALIGN * ALIGN
                lo, hi = (mid, hi) if fits(mid) else (lo, mid)
            return lo

        half = max(ALIGN, top // 2 // ALIGN * ALIGN)
        if half == top or not fits(half):
            # Nothing fits at all: lower with the smallest block, so that
            # check-target reports the overflow with the tiles live at its peak.
            best = bisect(ALIGN, half) if fits(ALIGN) else ALIGN
        else:
            slope = (peak(top) - peak(half)) / (top - half)
            step = int((cap - peak(half)) / slope) // ALIGN * ALIGN if slope > 0 else 0
            guess = min(max(half + step, half), top - ALIGN)
            if not fits(guess):
                best = bisect(half, guess)
            elif not fits(guess + ALIGN):
                best = guess
            else:
                best = bisect(guess + ALIGN, top)
        return best

    def _peak(self, form: _Form, target: Target) -> int:
        """The UB peak of the largest task of ``form``: the full N sub-tile's, else the tail's."""
        mm = form.mm
        consts = IndexConstants(mm.op.location)
        b = LoweringBuilder(Block(), mm.op.location, consts)
        n0 = b.index(0)
        if mm.n >= form.nv:
            self._task(b, form, n0, form.nv, form.name)
        else:
            self._task(b, form, n0, mm.n, form.name)
        ops = detached_ops(b.block)
        try:
            task = ops[0]
            assert isinstance(task, TaskOp)
            return plan_task(task, target).peak.get(_UB, 0)
        finally:
            drop(ops)
            drop(consts.take())

    def _alignment_error(
        self, form: _Form, op: Operation, t: TileType, problem: str, target: Target
    ) -> DiagnosticError:
        """A located error on the matmul: which block breaks the row rule, and the fix."""
        mm = form.mm
        dtype = dtype_name(t.element_type)
        need = row_multiple(t.element_type, target)
        contiguous = t.cols if t.is_row_major else t.rows
        task = enclosing(op, TaskOp)
        in_ntail = task is not None and task.task_name.data.endswith("_ntail")
        kc = min(form.kc, mm.k)
        in_k_loop = False
        parent = op.parent_op()
        while parent is not None and parent is not task:
            in_k_loop |= isinstance(parent, scf.ForOp) and parent.parent_op() is task
            parent = parent.parent_op()
        nvt = mm.n % form.nv if in_ntail else form.nv
        kt = kc if in_k_loop or not mm.k % kc else mm.k % kc
        other_unit = 'lower it on the cube (tile.unit = "cube"), which zero-pads partial blocks'
        if contiguous == nvt and in_ntail:
            where = f"the peeled N sub-tile of {nvt} columns (N = {mm.n} = {mm.n // form.nv} x {form.nv} + {nvt})"
            fix = f"N = {mm.n} is not a multiple of {need}, so no nv gives whole 32 B rows; {other_unit}"
        elif contiguous == nvt:
            where = f"the [{kt}, {nvt}] W block"
            fix = f"nv must be a multiple of {need} for {dtype}"
        elif contiguous == kt and kt != kc:
            where = f"the peeled K-block of {kt} (K = {mm.k} = {mm.k // kc} x {kc} + {kt})"
            fix = f"K = {mm.k} is not a multiple of {need}, so no kc gives whole 32 B rows; {other_unit}"
        elif contiguous == kt and kt == mm.k:
            where = f"the single K-block of {kt}"
            fix = f"K = {mm.k} is not a multiple of {need}; {other_unit}"
        else:
            where = "a block"
            fix = f"kc and nv must be multiples of {need} for {dtype}"
        return error_at(
            mm.op,
            f"cannot lower {mm.shape_str} to the row-sum form (nv={form.nv}, kc={form.kc}): "
            f"in {where}, {problem}; {fix}",
        )

    # ------------------------------------------------------------------ #
    # IR construction
    # ------------------------------------------------------------------ #

    def _build(self, form: _Form, consts: IndexConstants) -> list[Operation]:
        """The lowered ops (detached, in order); the index constants go to ``consts``."""
        mm = form.mm
        top = LoweringBuilder(Block(), mm.op.location, consts)
        n_full = mm.n // form.nv * form.nv
        if n_full:
            _, inner, n0 = top.parallel(top.index(0), top.index(n_full), top.index(form.nv), "n0")
            self._task(inner, form, n0, form.nv, form.name)
            inner.close_parallel()
        if mm.n % form.nv:
            self._task(top, form, top.index(n_full), mm.n % form.nv, f"{form.name}_ntail")
        return detached_ops(top.block)

    def _task(self, b: LoweringBuilder, form: _Form, n0: SSAValue, nvt: int, name: str) -> None:
        mm = form.mm
        _, t = b.task(Unit.VECTOR, name)
        c0 = t.index(0)
        acc_type = TileType((form.rows, nvt), mm.c_elem, _UB)
        # Rows beyond M (batch padding) are zeros in, never out.
        valid = [t.index(mm.m), t.index(nvt)] if form.rows != mm.m else []
        if form.init is not None:
            acc = t.value(FullOp.get(form.init, acc_type), "acc0")
        else:
            acc = t.value(LoadOp(mm.c, [c0, n0], acc_type, valid), "acc0")
        kc = min(form.kc, mm.k)
        k_full = mm.k // kc * kc
        if k_full == kc:
            # One K-block: no loop around it.
            acc = self._block(t, form, c0, n0, kc, nvt, acc)
        elif k_full:
            lb, ub, step = c0, t.index(k_full), t.index(kc)
            body, inner, k0, acc_in = t.for_loop(lb, ub, step, acc, "k0", "acc")
            acc_next = self._block(inner, form, k0, n0, kc, nvt, acc_in)
            acc = t.end_for(body, inner, lb, ub, step, acc, acc_next, "acc_k")
        if mm.k % kc:
            acc = self._block(t, form, t.index(k_full), n0, mm.k % kc, nvt, acc)
        out = mm.c if form.out is None else form.out
        out_type = cast(MemRefType[Attribute], out.type)
        # An absorbed epilogue's conversion (f32 -> bf16 rounds to nearest even, as truncf).
        result = self._cast(t, acc, out_type.get_element_type(), "y")
        t.add(StoreOp(result, out, [c0, n0], valid))

    def _cast(self, b: LoweringBuilder, value: SSAValue, to: Attribute, name: str) -> SSAValue:
        """A cast to ``to``; none when the value already has that element type."""
        t = value.type
        assert isinstance(t, TileType)
        if t.element_type == to:
            return value
        return b.value(CastOp(value, to), name)

    def _block(
        self,
        b: LoweringBuilder,
        form: _Form,
        k0: SSAValue,
        n0: SSAValue,
        kt: int,
        nvt: int,
        acc: SSAValue,
    ) -> SSAValue:
        """One K-block of one N sub-tile: returns the updated accumulator."""
        mm = form.mm
        c0 = b.index(0)
        out = mm.c_elem
        x_type = TileType((form.rows, kt), mm.a_elem, _UB)
        x_valid = [b.index(mm.m), b.index(kt)] if form.rows != mm.m else []
        x_blk = b.value(LoadOp(mm.a, [c0, k0], x_type, x_valid), "x_blk")
        x_f32 = self._cast(b, x_blk, out, "x_f32")
        if form.w_rows is None:
            w_type = TileType((kt, nvt), mm.b_elem, _UB)
            w_blk = b.value(LoadOp(mm.b, [k0, n0], w_type), "w_blk")
            w_f32 = self._cast(b, w_blk, out, "w_f32")
            w_t = b.value(TransposeOp(w_f32), "w_t")
        else:
            # W's [N, K] rows are the output columns: the block is loaded transposed.
            w_type = TileType((nvt, kt), mm.b_elem, _UB)
            w_blk = b.value(LoadOp(form.w_rows, [n0, k0], w_type), "w_blk")
            w_t = self._cast(b, w_blk, out, "w_t")
        if not form.batched:
            x_rows = b.value(ColExpandOp(x_f32, nvt), "x_rows")
            prod = b.value(MulOp(w_t, x_rows), "prod")
            part = b.value(RowSumOp(prod), "part")
            part_row = b.value(ReshapeOp(part, TileType((1, nvt), out, _UB)), "part_row")
            return b.value(AddOp(acc, part_row), "acc_next")
        # Batch: wT is reused by every row of x; one column of the block per step.
        blk0 = b.value(FullOp.get(0.0, TileType((form.rows, nvt), out, _UB)), "blk0")
        lb, ub, step = c0, b.index(nvt), b.index(1)
        body, inner, n, blk = b.for_loop(lb, ub, step, blk0, "n", "blk")
        w_row = inner.value(ExtractOp(w_t, [n, c0], TileType((1, kt), out, _UB)), "w_row")
        prod = inner.value(ColExpandMulOp(x_f32, w_row), "prod")
        part = inner.value(RowSumOp(prod), "part")
        blk_next = inner.value(InsertOp(part, blk, [c0, n]), "blk_next")
        blk_sum = b.end_for(body, inner, lb, ub, step, blk0, blk_next, "blk_sum")
        return b.value(AddOp(acc, blk_sum), "acc_next")
