"""The rule functions shared by check-target and the lowerings' option validation."""

from __future__ import annotations

import pytest
from xdsl.dialects.builtin import BFloat16Type, Float32Type, Float64Type, Float80Type, IntegerType

from qkv_opt.analysis.target_rules import (
    aiv_rowsum_option_error,
    check_tile_alignment,
    cube_dtype_error,
    cube_extent_error,
    cube_matmul_option_error,
    data_path_error,
    element_bytes,
    fractal_multiples,
    row_multiple,
    tile_dtype_error,
    vector_dtype_error,
)
from qkv_opt.dialects.targets import get_target
from qkv_opt.dialects.tile import Layout, MemorySpace

A2 = get_target("ascend910b")
A5 = get_target("ascend950")
BF16, F32, I8 = BFloat16Type(), Float32Type(), IntegerType(8)
ROW, COL = Layout.ROW_MAJOR, Layout.COL_MAJOR
UB, L1, L0A, L0B, L0C, GM = (
    MemorySpace.UB,
    MemorySpace.L1,
    MemorySpace.L0A,
    MemorySpace.L0B,
    MemorySpace.L0C,
    MemorySpace.GM,
)


def test_row_alignment_message_names_tile_bytes_rule_and_fix() -> None:
    msg = check_tile_alignment((1024, 8), BF16, UB, ROW, A2)
    assert msg is not None
    assert msg.startswith(
        "row of tile<1024x8xbf16> in ub is 16 B, not a multiple of the 32-byte block; "
        "the contiguous axis (8 columns) must be a multiple of 16 bf16 elements"
    )
    assert "pto_tile.hpp" in msg
    assert "ascend910b" in msg


@pytest.mark.parametrize(
    ("origin", "fix"),
    [
        ("nv", "nv must be a multiple of 16 for bf16"),
        (("kc", "nv"), "nv must be a multiple of 16 for bf16"),
        (("kc", ""), "the contiguous axis (8 columns) must be a multiple of 16 bf16 elements"),
    ],
)
def test_origin_names_the_option(origin: str | tuple[str, str], fix: str) -> None:
    msg = check_tile_alignment((1024, 8), BF16, UB, ROW, A2, origin=origin)
    assert msg is not None
    assert msg.startswith(
        f"row of tile<1024x8xbf16> in ub is 16 B, not a multiple of the 32-byte block; {fix}"
    )


def test_col_major_uses_the_rows() -> None:
    assert check_tile_alignment((8, 1), F32, UB, COL, A2) is None
    msg = check_tile_alignment((4, 1), F32, UB, COL, A2, origin=("nv", None))
    assert msg is not None
    assert msg.startswith(
        "column of tile<4x1xf32, col_major> in ub is 16 B, not a multiple of the 32-byte "
        "block; nv must be a multiple of 8 for f32"
    )
    # The same tile row-major has 4-byte rows.
    row = check_tile_alignment((4, 1), F32, UB, ROW, A2)
    assert row is not None
    assert row.startswith("row of tile<4x1xf32> in ub is 4 B")


@pytest.mark.parametrize(
    ("shape", "dtype", "space"),
    [((1024, 16), BF16, UB), ((1, 8), F32, UB), ((16, 32), I8, L1), ((16, 1024), F32, L1)],
)
def test_aligned_tiles_pass(
    shape: tuple[int, int], dtype: BFloat16Type, space: MemorySpace
) -> None:
    assert check_tile_alignment(shape, dtype, space, ROW, A2) is None


def test_row_multiples() -> None:
    assert row_multiple(BF16, A2) == 16
    assert row_multiple(F32, A2) == 8
    assert row_multiple(I8, A2) == 32


def test_fractals() -> None:
    assert fractal_multiples(L0A, BF16, A2) == (16, 16)
    assert fractal_multiples(L0B, BF16, A2) == (16, 16)
    assert fractal_multiples(L0C, F32, A2) == (16, 16)
    # K packs 32 B per fractal row: 32 i8, 8 f32.
    assert fractal_multiples(L0A, I8, A2) == (16, 32)
    assert fractal_multiples(L0B, I8, A2) == (32, 16)
    assert fractal_multiples(L0A, F32, A2) == (16, 8)
    with pytest.raises(ValueError, match="not a cube space"):
        fractal_multiples(UB, F32, A2)


def test_cube_tiles() -> None:
    assert check_tile_alignment((16, 256), BF16, L0A, ROW, A2) is None
    assert check_tile_alignment((256, 256), BF16, L0B, ROW, A2) is None
    assert check_tile_alignment((16, 256), F32, L0C, ROW, A2) is None
    msg = check_tile_alignment((1, 256), BF16, L0A, ROW, A2)
    assert msg is not None
    assert msg.startswith(
        "cube M (rows of tile<1x256xbf16> in l0a) is 1, not a multiple of 16; pad M to 16 rows"
    )
    msg = check_tile_alignment((16, 200), BF16, L0A, ROW, A2, origin=("tm", "tk"))
    assert msg is not None
    assert "tk must be a multiple of 16" in msg
    both = check_tile_alignment((8, 8), F32, L0C, ROW, A2, origin=("tm", "tn"))
    assert both is not None
    assert "tm must be a multiple of 16" in both
    assert "tn must be a multiple of 16" in both
    # GM has no tile rule.
    assert check_tile_alignment((1, 1), F32, GM, ROW, A2) is None


def test_vector_dtypes_per_target() -> None:
    msg = vector_dtype_error("add", BF16, A2)
    assert msg is not None
    assert "bf16 vector arithmetic (add) is not supported on ascend910b" in msg
    assert "cast to f32 first" in msg
    assert vector_dtype_error("add", BF16, A5) is None
    assert vector_dtype_error("add", F32, A2) is None
    red = vector_dtype_error("row_sum", BF16, A5, reduce=True)
    assert red is not None
    assert "bf16 row reduction (row_sum) is not supported on ascend950" in red
    i8 = vector_dtype_error("mul", I8, A2)
    assert i8 is not None
    assert "cast to one of f16, f32, i16, i32" in i8


def test_cube_dtypes_and_extents() -> None:
    assert cube_dtype_error(BF16, F32, A2) is None
    assert cube_dtype_error(I8, IntegerType(32), A2) is None
    msg = cube_dtype_error(I8, F32, A2)
    assert msg is not None
    assert "has no i8 x i8 -> f32 matmul" in msg
    assert "accumulate i8 in i32" in msg
    assert cube_extent_error(16, 4095, 1, A2) is None
    ext = cube_extent_error(16, 4096, 0, A2)
    assert ext is not None
    assert "k = 4096, n = 0 is outside [1, 4095]" in ext


def test_data_paths_per_target() -> None:
    assert data_path_error(GM, UB, A2) is None
    assert data_path_error(L1, L0A, A2) is None
    msg = data_path_error(L0C, UB, A2)
    assert msg is not None
    assert "there is no l0c -> ub data path on ascend910b" in msg
    assert "store the l0c tile, then load it into ub" in msg
    assert "gm -> l1|ub" in msg
    assert "l0c -> gm" in msg
    assert data_path_error(L0C, UB, A5) is None
    assert data_path_error(UB, L1, A5) is None
    ub_l1 = data_path_error(UB, L1, A2)
    assert ub_l1 is not None
    assert "go through GM" in ub_l1
    assert data_path_error(GM, L0A, A5) is not None


def test_aiv_option_validation() -> None:
    assert aiv_rowsum_option_error(16, None, A2) is None
    assert aiv_rowsum_option_error(32, 1024, A2) is None
    msg = aiv_rowsum_option_error(8, None, A2)
    assert msg == (
        "nv=8, kc=auto: row of tile<1024x8xbf16> in ub is 16 B, not a multiple of the "
        "32-byte block; nv must be a multiple of 16 for bf16 (ascend910b: the contiguous "
        "axis of a ub / l1 tile is a multiple of 32 B, pto-isa pto_tile.hpp)"
    )
    kc = aiv_rowsum_option_error(16, 1000, A2)
    assert kc is not None
    assert "row of tile<1x1000xbf16> in ub is 2000 B" in kc
    assert "kc must be a multiple of 16 for bf16" in kc
    zero = aiv_rowsum_option_error(0, -16, A2, max_batch=0)
    assert zero == (
        "nv=0: nv must be a positive integer; max-batch=0: max-batch must be a positive "
        "integer; kc=-16: kc must be a positive integer"
    )
    # An f32 input needs only 8 columns.
    assert aiv_rowsum_option_error(8, 1024, A2, element_type=F32) is None


def test_cube_option_validation() -> None:
    assert cube_matmul_option_error(16, 256, 256, A2, k_slice=1024) is None
    tm = cube_matmul_option_error(8, 256, 256, A2)
    assert tm is not None
    assert tm.startswith("tm=8, tn=256, tk=256: cube M (rows of tile<8x256xbf16> in l0a) is 8")
    assert "tm must be a multiple of 16" in tm
    tk = cube_matmul_option_error(16, 256, 200, A2)
    assert tk is not None
    assert "tk must be a multiple of 16" in tk
    tn = cube_matmul_option_error(16, 4112, 256, A2)
    assert tn is not None
    assert "n = 4112 is outside [1, 4095]" in tn
    bad = cube_matmul_option_error(16, 0, 256, A2, k_slice=0)
    assert (
        bad == "tn=0: tn must be a positive integer; k-slice=0: k-slice must be a positive integer"
    )


def test_tile_element_types() -> None:
    for t in (BF16, F32, I8, IntegerType(16), IntegerType(32)):
        assert tile_dtype_error(t, A2) is None
    f64 = tile_dtype_error(Float64Type(), A2)
    assert f64 == (
        "f64 is not an element type of ascend910b: its units handle bf16, f16, f32, i16, "
        "i32, i8; convert the data to one of them before loading it"
    )
    # Sizes exist even for types no unit handles, so plans and messages can be made.
    assert element_bytes(Float80Type()) == 10
    assert element_bytes(IntegerType(1)) == 1
    assert element_bytes(BF16) == 2
