"""cube-matmul through the Python API: the F1.1 form, move steps, tails, seeds, errors."""

from __future__ import annotations

import pytest
from matmul_cases import Case, agrees, lower, op_names, parse, structural_size, tasks
from xdsl.context import Context

from qkv_opt.dialects.tile import MoveOp, StoreOp, TileType, Unit
from qkv_opt.passes import get_all_passes
from qkv_opt.passes.aiv_rowsum import AivRowSumPass
from qkv_opt.passes.cube_matmul import CubeMatmulPass
from qkv_opt.passes.pipeline import PipelineError, build_pipeline
from qkv_opt.utils.diagnostics import DiagnosticError

QWEN3_14B_K = Case(1, 5120, 1024)


def _moved_rows(text: str, **options: int) -> set[int]:
    module = lower(text, [CubeMatmulPass(**options)])  # pyright: ignore[reportArgumentType]
    shapes: set[int] = set()
    for op in module.walk():
        if isinstance(op, MoveOp):
            t = op.result.type
            assert isinstance(t, TileType)
            if t.memory_space.value == "l0b":
                shapes.add(t.rows)
    return shapes


def test_registered() -> None:
    assert get_all_passes()["cube-matmul"]() is CubeMatmulPass


def test_python_api(ctx: Context) -> None:
    module = parse(QWEN3_14B_K.text())
    CubeMatmulPass().apply(ctx, module)
    names = op_names(module)
    assert "linalg.matmul" not in names
    assert names.count("tile.matmul") == 1
    assert "tile.matmul_acc" in names
    assert "tile.row_sum" not in names
    (task,) = tasks(module)
    assert task.task_unit == Unit.CUBE
    (store,) = [op for op in module.walk() if isinstance(op, StoreOp)]
    assert store.atomic is not None


@pytest.mark.parametrize(
    ("case", "options", "rows"),
    [
        (QWEN3_14B_K, {}, {128}),  # [128, 256] bf16 = 64 KiB = L0B
        (Case(1, 4096, 1024, "f32"), {}, {64}),  # [64, 256] f32 = 64 KiB
        (QWEN3_14B_K, {"tn": 512}, {64}),
        (QWEN3_14B_K, {"tn": 128, "tk": 128, "k_slice": 512}, {128}),
    ],
    ids=str,
)
def test_move_step_fits_l0b(case: Case, options: dict[str, int], rows: set[int]) -> None:
    assert _moved_rows(case.text(), **options) == rows


@pytest.mark.parametrize("m", [1, 16])
def test_loops_stay_rolled(m: int) -> None:
    base = lower(Case(m, 5120, 1024).text(), [CubeMatmulPass()])
    big = lower(Case(m, 4 * 5120, 4 * 1024).text(), [CubeMatmulPass()])
    assert structural_size(base) == structural_size(big)


@pytest.mark.parametrize(
    "case",
    [
        QWEN3_14B_K,
        Case(16, 5120, 1024),
        Case(1, 3584, 512),  # Qwen2.5-7B
        Case(40, 1000, 600, "f16"),  # tails in M, N and K
        Case(3, 100, 40),  # smaller than one tile
        Case(5, 520, 48, "f32"),
        Case(2, 1024, 64, fill=0.0),
        Case(2, 1024, 64, fill=-1.5),
        Case(3, 100, 40, "i8", "i32"),
        Case(3, 100, 40, "i8", "i32", fill=2.0),
    ],
    ids=str,
)
def test_lowered_computes_the_matmul(case: Case) -> None:
    assert agrees(parse(case.text()), lower(case.text(), [CubeMatmulPass()]))


def test_padding_never_reaches_c() -> None:
    """A batch of 3 in a 16-row tile: stores write 3 rows (and the result agrees)."""
    module = lower(Case(3, 256, 64).text(), [CubeMatmulPass()])
    (store,) = [op for op in module.walk() if isinstance(op, StoreOp)]
    assert len(store.valid) == 2


def test_fill_becomes_a_seed_task() -> None:
    module = lower(Case(1, 1024, 512, fill=0.0).text(), [CubeMatmulPass()])
    assert "linalg.fill" not in op_names(module)
    units = [t.task_unit for t in tasks(module)]
    assert units == [Unit.VECTOR, Unit.CUBE]


def test_vector_marked_is_left_for_aiv_rowsum() -> None:
    module = lower(Case(1, 256, 64, unit="vector").text(), [CubeMatmulPass()])
    assert op_names(module).count("linalg.matmul") == 1
    module = lower(Case(1, 256, 64, unit="vector").text(), [CubeMatmulPass(), AivRowSumPass()])
    assert [t.task_unit for t in tasks(module)] == [Unit.VECTOR]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("cube-matmul{tm=8}", "tm must be a multiple of 16"),
        ("cube-matmul{tn=24}", "tn must be a multiple of 16"),
        ("cube-matmul{tk=40}", "tk must be a multiple of 16"),
        ("cube-matmul{k-slice=1000}", "not a multiple of tk=256"),
        ("cube-matmul{tn=4096}", "outside \\[1, 4095\\]"),
        ("cube-matmul{tm=32 tn=2048}", "more than the 131,072 B of L0C"),
        ("cube-matmul{tm=0}", "tm must be a positive integer"),
        ("cube-matmul{target=npu}", "unknown target 'npu'"),
    ],
)
def test_bad_options(spec: str, message: str) -> None:
    with pytest.raises(PipelineError, match=message):
        build_pipeline(get_all_passes(), spec)


@pytest.mark.parametrize(
    ("case", "options", "message"),
    [
        (Case(1, 64, 32, "bf16", "bf16"), {}, "no bf16 x bf16 -> bf16 matmul"),
        (Case(1, 64, 32, "f16", "f16"), {}, "no f16 x f16 -> f16 matmul"),
        (Case(1, 64, 4096, "f32"), {"tn": 2048}, "even a 16-deep k-step"),
        (QWEN3_14B_K, {"tk": 2048, "k_slice": 2048}, "l1 overflow"),
    ],
    ids=str,
)
def test_rejections_are_located_diagnostics(
    case: Case, options: dict[str, int], message: str
) -> None:
    with pytest.raises(DiagnosticError) as info:
        lower(case.text(), [CubeMatmulPass(**options)])  # pyright: ignore[reportArgumentType]
    diag = info.value.diagnostics[0]
    assert message in diag.message
    assert diag.loc is not None
    assert diag.loc.file == "case.mlir"
