"""
Property tests over random decode shapes: a lowered program computes what the
input computes (run_function + ratio_allclose on seeded inputs), and anything a
lowering rejects is rejected with a located DiagnosticError, for a stated reason.

Shapes stay moderate (K <= 2048, N <= 512) so the suite runs in seconds on two
cores; the full Qwen3 / Llama / Mistral / Qwen2.5 shapes are the lit e2e tests.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from matmul_cases import Case, agrees, lower, op_names, parse, tasks

from qkv_opt.passes.aiv_rowsum import AivRowSumPass
from qkv_opt.passes.cube_matmul import CubeMatmulPass
from qkv_opt.utils.diagnostics import DiagnosticError

EXAMPLES = int(os.environ.get("QKV_PROPERTY_EXAMPLES", "25"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)

DTYPE_BYTES = {"bf16": 2, "f16": 2, "f32": 4}
CUBE_OPS = ("tile.matmul", "tile.matmul_acc", "tile.move")


@st.composite
def decode_cases(draw: st.DrawFn, *, max_batch: int = 16, grid: int = 16) -> Case:
    """B in 1..max_batch, K and N multiples of ``grid``, bf16 / f16 / f32 inputs."""
    dtype = draw(st.sampled_from(["bf16", "f16", "f32"]))
    m = draw(st.one_of(st.just(1), st.integers(2, max_batch)))  # batch 1 is its own form
    k = grid * draw(st.integers(1, 2048 // grid))
    n = grid * draw(st.integers(1, 512 // grid))
    fill = draw(st.sampled_from([None, None, 0.0, 1.5]))
    return Case(m, k, n, dtype, fill=fill)


def _row_multiple(dtype: str) -> int:
    """Elements per 32-byte block."""
    return 32 // DTYPE_BYTES[dtype]


def _aligned(case: Case, nv: int) -> bool:
    """
    Whether every block of the row-sum form has whole 32 B rows.

    nv must be whole blocks, and so must K and N: a tail block's extent is
    K mod kc (N mod nv), which has K's (N's) residue modulo the block whenever
    kc and nv are whole blocks, so no choice of kc or nv fixes a ragged K or N.
    """
    need = _row_multiple(case.dtype)
    return nv % need == 0 and nv % 8 == 0 and case.k % need == 0 and case.n % need == 0


@PROPERTY
@given(
    case=st.one_of(decode_cases(), decode_cases(), decode_cases(grid=8)),
    nv=st.sampled_from([16, 16, 32, 64, 8]),
    kc=st.sampled_from(["auto", "auto", 256, 512, 1024]),
)
def test_aiv_rowsum_is_exact_or_rejected(case: Case, nv: int, kc: str | int) -> None:
    text = case.text()
    try:
        lowered = lower(text, [AivRowSumPass(nv=nv, kc=kc)])
    except DiagnosticError as e:
        diag = e.diagnostics[0]
        assert diag.loc is not None, diag.message
        event("rejected: " + ("ub" if "ub overflow" in diag.message else "alignment"))
        if _aligned(case, nv):
            # Only an explicit kc may overflow the UB; kc=auto always fits B <= 16.
            assert kc != "auto", diag.message
            assert "ub overflow" in diag.message, diag.message
        else:
            assert "not a multiple of the 32-byte block" in diag.message, diag.message
        return
    assert _aligned(case, nv), "lowered a shape whose rows are not whole 32 B blocks"
    event(f"lowered: {'batch 1' if case.m == 1 else 'batch form'}")
    names = op_names(lowered)
    assert "linalg.matmul" not in names
    assert "tile.row_sum" in names
    assert not any(n in names for n in CUBE_OPS)
    assert agrees(parse(text), lowered)


@PROPERTY
@given(
    m=st.integers(1, 40),
    k=st.integers(1, 1500),
    n=st.integers(1, 700),
    dtype=st.sampled_from(["bf16", "f16", "f32"]),
    fill=st.sampled_from([None, 0.0, -2.0]),
    tiles=st.sampled_from([{}, {"tn": 128, "tk": 128, "k_slice": 512}, {"tk": 64, "k_slice": 192}]),
)
def test_cube_matmul_is_exact_for_any_shape(
    m: int, k: int, n: int, dtype: str, fill: float | None, tiles: dict[str, int]
) -> None:
    """Any M, N, K (tails zero-padded by valid extents) lowers and agrees."""
    case = Case(m, k, n, dtype, fill=fill)
    lowered = lower(case.text(), [CubeMatmulPass(**tiles)])  # pyright: ignore[reportArgumentType]
    names = op_names(lowered)
    assert "linalg.matmul" not in names
    assert "tile.matmul" in names
    assert "linalg.fill" not in names
    assert agrees(parse(case.text()), lowered)


@PROPERTY
@given(
    m=st.integers(1, 16),
    k=st.integers(1, 256),
    n=st.integers(1, 256),
    types=st.sampled_from([("bf16", "bf16"), ("f16", "f16"), ("bf16", "f16"), ("f32", "f16")]),
)
def test_cube_matmul_rejects_what_the_cube_cannot_accumulate(
    m: int, k: int, n: int, types: tuple[str, str]
) -> None:
    """L0C holds f32 and reaches GM unconverted: a non-f32 C is a located error."""
    case = Case(m, k, n, types[0], types[1])
    try:
        lower(case.text(), [CubeMatmulPass()])
    except DiagnosticError as e:
        diag = e.diagnostics[0]
        assert diag.loc is not None
        assert "cannot lower" in diag.message
        return
    raise AssertionError(f"{case} lowered to the cube")


@st.composite
def projections(draw: st.DrawFn) -> str:
    """A function of 2-3 projections of one x, each with a random tile.unit and fill."""
    dtype = draw(st.sampled_from(["bf16", "f32"]))
    m = draw(st.integers(1, 16))
    k = 16 * draw(st.integers(1, 64))
    count = draw(st.integers(2, 3))
    args = [f"%x: memref<{m}x{k}x{dtype}>"]
    body: list[str] = []
    for i in range(count):
        n = 16 * draw(st.integers(1, 24))
        unit = draw(st.sampled_from([None, "cube", "vector"]))
        w, y = f"memref<{k}x{n}x{dtype}>", f"memref<{m}x{n}xf32>"
        args += [f"%w{i}: {w}", f"%y{i}: {y}"]
        if draw(st.booleans()):
            body.append(f"  %z{i} = arith.constant 0.0 : f32")
            body.append(f"  linalg.fill ins(%z{i} : f32) outs(%y{i} : {y})")
        attr = f' {{tile.unit = "{unit}"}}' if unit else ""
        body.append(
            f"  linalg.matmul{attr} ins(%x, %w{i} : memref<{m}x{k}x{dtype}>, {w}) outs(%y{i} : {y})"
        )
    lines = "\n".join(body)
    return f"func.func @proj({', '.join(args)}) {{\n{lines}\n  return\n}}\n"


@PROPERTY
@given(text=projections(), order=st.sampled_from(["vector-first", "cube-first"]))
def test_passes_compose(text: str, order: str) -> None:
    """aiv-rowsum and cube-matmul in either order lower everything, exactly."""
    passes = [AivRowSumPass(), CubeMatmulPass()]
    if order == "cube-first":
        passes.reverse()
    lowered = lower(text, passes)
    names = op_names(lowered)
    assert "linalg.matmul" not in names
    task_names = [t.task_name.data for t in tasks(lowered)]
    assert len(task_names) == len(set(task_names))
    assert agrees(parse(text), lowered)
