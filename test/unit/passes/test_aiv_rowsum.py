"""aiv-rowsum through the Python API: forms, kc=auto, rolled loops, semantics, errors."""

from __future__ import annotations

import numpy as np
import pytest
from matmul_cases import Case, agrees, k_loop_step, lower, op_names, parse, structural_size, tasks
from xdsl.context import Context
from xdsl.dialects import scf
from xdsl.dialects.builtin import BFloat16Type, IndexType

from qkv_opt.dialects.tile import MemorySpace, TileType, Unit, unit_of
from qkv_opt.interpreter import ratio_allclose, resolve_entry, run_function, seeded_inputs
from qkv_opt.passes import get_all_passes
from qkv_opt.passes.aiv_rowsum import AivRowSumPass
from qkv_opt.passes.pipeline import PipelineError, build_pipeline
from qkv_opt.utils.diagnostics import DiagnosticError

QWEN3_14B_K = Case(1, 5120, 1024)


def test_registered() -> None:
    assert get_all_passes()["aiv-rowsum"]() is AivRowSumPass


def test_python_api(ctx: Context) -> None:
    module = parse(QWEN3_14B_K.text())
    AivRowSumPass(nv=16).apply(ctx, module)
    names = op_names(module)
    assert "linalg.matmul" not in names
    assert "tile.row_sum" in names
    assert not any(n in names for n in ("tile.matmul", "tile.matmul_acc", "tile.move"))
    (task,) = tasks(module)
    assert task.task_unit == Unit.VECTOR
    assert task.task_name.data == "proj_0"
    assert all(unit_of(op) in (Unit.VECTOR, Unit.MTE, None) for op in task.walk())


# kc=auto: the largest multiple of 16 up to 1024 whose task fits the UB.  The
# batch-16 form keeps four [16, kc] f32 tiles live (x, wT, the product and the
# row_sum scratch): 4 x 64 B x kc <= 188,416 B - the rest gives 720.
@pytest.mark.parametrize(
    ("m", "dtype", "kc"),
    [
        (1, "bf16", 1024),
        (1, "f16", 1024),
        (1, "f32", 1024),
        (16, "bf16", 720),
        (16, "f16", 720),
        (16, "f32", 720),
        (8, "bf16", 1024),
    ],
)
def test_kc_auto(m: int, dtype: str, kc: int) -> None:
    module = lower(Case(m, 5120, 1024, dtype).text(), [AivRowSumPass()])
    assert k_loop_step(module) == kc


def test_kc_auto_follows_the_target() -> None:
    # ascend950: 240 KiB of UB and no row_sum scratch.
    module = lower(Case(16, 5120, 1024).text(), [AivRowSumPass(target="ascend950")])
    assert k_loop_step(module) == 1024


def test_kc_auto_never_exceeds_k() -> None:
    """K = 96: one K-block of 96, with no loop around it."""
    module = lower(Case(1, 96, 64).text(), [AivRowSumPass()])
    assert k_loop_step(module) is None
    x_blocks = [
        op.results[0].type
        for op in module.walk()
        if op.results and op.results[0].name_hint == "x_blk"
    ]
    assert x_blocks == [TileType((1, 96), BFloat16Type(), MemorySpace.UB)]


@pytest.mark.parametrize(("m", "kc"), [(1, "auto"), (16, "auto"), (1, 512), (16, 512)])
def test_loops_stay_rolled(m: int, kc: str | int) -> None:
    """The IR does not grow with K or N: Qwen3-14B K vs 4x K and 4x N."""
    base = lower(Case(m, 5120, 1024).text(), [AivRowSumPass(kc=kc)])
    big = lower(Case(m, 4 * 5120, 4 * 1024).text(), [AivRowSumPass(kc=kc)])
    assert structural_size(base) == structural_size(big)
    assert len(tasks(big)) == len(tasks(base)) == 1


@pytest.mark.parametrize(
    "batches",
    [(2, 5, 7), (8, 16)],  # padded to 8 rows (valid extents), and unpadded
)
def test_batch_size_does_not_grow_ir(batches: tuple[int, ...]) -> None:
    passes = [AivRowSumPass(kc=512)]
    sizes = {len(op_names(lower(Case(b, 2048, 256).text(), passes))) for b in batches}
    assert len(sizes) == 1


def test_batch_form_loads_w_once_per_block() -> None:
    """In the batch form W is loaded once per K-block, outside the per-column loop."""
    module = lower(Case(16, 1024, 64).text(), [AivRowSumPass(kc=512)])
    loads = [op for op in module.walk() if op.name == "tile.load"]
    w_loads = [op for op in loads if op.operands[0].name_hint == "w"]
    assert len(w_loads) == 1
    parent = w_loads[0].parent_op()
    assert isinstance(parent, scf.ForOp)
    assert parent.body.block.args[0].name_hint == "k0"


@pytest.mark.parametrize(
    "case",
    [
        QWEN3_14B_K,
        Case(16, 5120, 1024),
        Case(1, 3584, 512),  # Qwen2.5-7B: K = 3 x 1024 + 512
        Case(3, 4096, 1024, "f16"),
        Case(7, 1040, 48, "f32"),
        Case(1, 1024, 64, fill=0.0),
        Case(2, 1024, 64, fill=0.5),
        Case(1, 512, 32, "f16", "f16"),
    ],
    ids=str,
)
def test_lowered_computes_the_matmul(case: Case) -> None:
    reference = parse(case.text())
    lowered = lower(case.text(), [AivRowSumPass()])
    assert agrees(reference, lowered)


def test_initial_output_is_honoured() -> None:
    """C += A * B: a lowering that dropped C's initial value would not agree."""
    case = Case(1, 256, 32)
    reference = parse(case.text())
    lowered = lower(case.text(), [AivRowSumPass()])
    assert "tile.full" not in op_names(lowered)
    assert agrees(reference, lowered, seed=3)


def test_zero_fill_becomes_full_and_is_erased() -> None:
    module = lower(Case(1, 256, 32, fill=0.0).text(), [AivRowSumPass()])
    names = op_names(module)
    assert "linalg.fill" not in names
    assert "tile.full" in names
    assert "tile.load" in names  # x and w, not C
    consts = [op for op in module.walk() if op.name == "arith.constant"]
    assert all(isinstance(op.results[0].type, IndexType) for op in consts)


def test_forced_vector_beyond_max_batch() -> None:
    module = lower(Case(32, 256, 64, unit="vector").text(), [AivRowSumPass()])
    assert "linalg.matmul" not in op_names(module)
    assert agrees(parse(Case(32, 256, 64, unit="vector").text()), module)


def test_cube_marked_is_left_alone() -> None:
    module = lower(Case(1, 256, 64, unit="cube").text(), [AivRowSumPass()])
    assert op_names(module).count("linalg.matmul") == 1
    assert not tasks(module)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("aiv-rowsum{nv=0}", "nv must be a positive integer"),
        ("aiv-rowsum{kc=1000}", "kc=1000 is not a multiple of 16"),
        ("aiv-rowsum{kc=0}", "kc must be 'auto' or a positive multiple of 16"),
        ("aiv-rowsum{kc=true}", "kc must be 'auto' or a positive multiple of 16"),
        ("aiv-rowsum{max-batch=0}", "max-batch must be a positive integer"),
        ("aiv-rowsum{target=tpu}", "unknown target 'tpu'"),
    ],
)
def test_bad_options(spec: str, message: str) -> None:
    with pytest.raises(PipelineError, match=message):
        build_pipeline(get_all_passes(), spec)


def test_options_round_trip() -> None:
    (p,) = build_pipeline(get_all_passes(), "aiv-rowsum{nv=32 kc=512 max-batch=8}")
    assert p == AivRowSumPass(nv=32, kc=512, max_batch=8)
    (auto,) = build_pipeline(get_all_passes(), "aiv-rowsum{kc=auto}")
    assert auto == AivRowSumPass()


@pytest.mark.parametrize(
    ("case", "options", "message"),
    [
        (QWEN3_14B_K, {"nv": 8}, "nv must be a multiple of 16 for bf16"),
        (QWEN3_14B_K, {"nv": 24}, "nv must be a multiple of 16 for bf16"),
        (QWEN3_14B_K, {"kc": 2048}, "188416 B usable"),
        (Case(1, 1024, 1032), {}, "peeled N sub-tile of 8 columns"),
        (Case(1, 5128, 64), {}, "peeled K-block of 8"),
        (Case(1, 64, 32, "bf16", "bf16", unit="vector"), {}, "no bf16 multiply"),
    ],
    ids=str,
)
def test_rejections_are_located_diagnostics(
    case: Case, options: dict[str, int], message: str
) -> None:
    with pytest.raises(DiagnosticError) as info:
        lower(case.text(), [AivRowSumPass(**options)])  # pyright: ignore[reportArgumentType]
    diag = info.value.diagnostics[0]
    assert message in diag.message
    assert diag.loc is not None
    assert diag.loc.file == "case.mlir"


def test_f32_allows_nv8() -> None:
    case = Case(1, 1024, 64, "f32")
    lowered = lower(case.text(), [AivRowSumPass(nv=8)])
    assert agrees(parse(case.text()), lowered)


def _linear_text(m: int, k: int, n: int, dtype: str) -> str:
    """``y = x @ W^T`` as torch-mlir bufferizes nn.Linear (bf16: via an f32 buffer)."""
    x, w, wt = f"memref<{m}x{k}x{dtype}>", f"memref<{n}x{k}x{dtype}>", f"memref<{k}x{n}x{dtype}>"
    y = f"memref<{m}x{n}x{dtype}>"
    acc = f"memref<{m}x{n}xf32>"
    head = (
        f"func.func @proj(%x: {x}, %w: {w}, %y: {y}) {{\n"
        "  %zero = arith.constant 0.0 : f32\n"
        f"  %wt = memref.alloc() : {wt}\n"
        f"  linalg.transpose ins(%w : {w}) outs(%wt : {wt}) permutation = [1, 0]\n"
    )
    if dtype == "f32":
        return head + (
            f"  linalg.fill ins(%zero : f32) outs(%y : {y})\n"
            f"  linalg.matmul ins(%x, %wt : {x}, {wt}) outs(%y : {y})\n  return\n}}\n"
        )
    maps = "[affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>]"
    return head + (
        f"  %acc = memref.alloc() : {acc}\n"
        f"  linalg.fill ins(%zero : f32) outs(%acc : {acc})\n"
        f"  linalg.matmul ins(%x, %wt : {x}, {wt}) outs(%acc : {acc})\n"
        f'  linalg.generic {{indexing_maps = {maps}, iterator_types = ["parallel", "parallel"]}} '
        f"ins(%acc : {acc}) outs(%y : {y}) {{\n"
        f"  ^bb0(%in: f32, %o: {dtype}):\n"
        f"    %t = arith.truncf %in : f32 to {dtype}\n"
        f"    linalg.yield %t : {dtype}\n  }}\n  return\n}}\n"
    )


@pytest.mark.parametrize(
    ("m", "k", "n", "dtype"),
    [(1, 256, 64, "f32"), (2, 4096, 1024, "bf16"), (1, 3584, 512, "bf16"), (5, 512, 96, "f16")],
)
def test_frontend_linear_is_absorbed(m: int, k: int, n: int, dtype: str) -> None:
    """The weight transpose and the bf16 epilogue disappear, and the result is x @ W^T."""
    lowered = lower(_linear_text(m, k, n, dtype), [AivRowSumPass()])
    names = op_names(lowered)
    assert not any(name.startswith(("linalg.", "memref.")) for name in names)
    assert "tile.transpose" not in names
    args = seeded_inputs(resolve_entry(lowered, "proj"))
    x, w, _ = (a.astype(np.float32) for a in args)
    got = run_function(lowered, "proj", args, executor="reference")[2]
    expected = (x @ w.T).astype(args[2].dtype)
    assert ratio_allclose(got, expected).passed
