"""
GM buffers at run time, their checked accesses, and the memory budget.

A memref value is a ``Buffer``: a numpy view into a ``Root`` allocation (a
function argument or a ``memref.alloc``).  Every access checks its bounds and,
for ``memref.alloc`` buffers, that the elements it reads were written before
(``Root.init``), and raises ``Fault`` otherwise.  Both executors (the xDSL
reference interpreter and the fast one) go through these functions, so they
check the same things with the same words.

Nothing is allocated before ``MemoryBudget.reserve`` has accepted its size: an
input of hundreds of GB is refused with the number of bytes instead of ending
in a ``MemoryError`` or the kernel's OOM killer.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
from numpy.lib.stride_tricks import as_strided
from xdsl.dialects.builtin import DYNAMIC_INDEX, MemRefType
from xdsl.ir import Attribute, Operation

from qkv_opt.interpreter.dtypes import element_dtype, memref_shape
from qkv_opt.interpreter.faults import Fault
from qkv_opt.utils.diagnostics import op_loc

__all__ = [
    "DEFAULT_BUDGET_FRACTION",
    "Buffer",
    "MemoryBudget",
    "Root",
    "alloc_buffer",
    "available_memory",
    "format_bytes",
]

DEFAULT_BUDGET_FRACTION = 0.75
"""Share of the currently available RAM a run may allocate by default."""


def format_bytes(n: int) -> str:
    """``400,000,000,000 B (372.5 GiB)``: exact, and readable."""
    if n < 1024:
        return f"{n:,} B"
    value, unit = n / 1024, "KiB"
    for bigger in ("MiB", "GiB", "TiB", "PiB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{n:,} B ({value:.1f} {unit})"


def available_memory() -> int:
    """Bytes of RAM the kernel reports as available now (MemAvailable)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        # No way to ask: assume a small machine rather than none.
        return 4 << 30


@dataclass
class MemoryBudget:
    """
    The bytes a run may allocate: inputs, working copies and ``memref.alloc``.

    ``reserve`` is called before every large allocation and fails with a
    ``Fault`` that names the bytes asked for and the limit.
    """

    limit: int
    description: str = "the run-time memory budget"
    reserved: int = 0

    @staticmethod
    def default(fraction: float = DEFAULT_BUDGET_FRACTION) -> MemoryBudget:
        """``fraction`` of the RAM available now."""
        available = available_memory()
        return MemoryBudget(
            int(available * fraction),
            f"the run-time memory budget ({fraction:.0%} of the "
            f"{format_bytes(available)} of RAM available)",
        )

    def reserve(self, nbytes: int, what: str) -> None:
        """Account for ``nbytes`` more, or fail before anything is allocated."""
        if self.reserved + nbytes > self.limit:
            held = f", with {format_bytes(self.reserved)} already held" if self.reserved else ""
            raise Fault(
                f"{what}: {format_bytes(nbytes)} needed{held}, more than {self.description} "
                f"of {format_bytes(self.limit)}; run a smaller shape or raise the budget "
                "(qkv-run --memory-budget)"
            )
        self.reserved += nbytes

    def release(self, nbytes: int) -> None:
        """Return bytes reserved for something that is gone."""
        self.reserved = max(0, self.reserved - nbytes)


@dataclass(eq=False)
class Root:
    """
    One allocation: a function argument's working copy or a ``memref.alloc``.

    ``init`` holds one flag per element for ``memref.alloc`` buffers (True once
    written) and is None when every element is defined (arguments).  ``owner``
    belongs to the fast executor: while it runs an ``scf.parallel`` in lock step
    it records which iteration touched each element.
    """

    data: np.ndarray[Any, Any]
    name: str
    """``%k`` for an argument, ``the memref.alloc at f.mlir:3:8`` for an allocation."""
    init: np.ndarray[Any, Any] | None = None
    owner: np.ndarray[Any, Any] | None = None
    written_by_program: bool = True
    """False for arguments the function never writes: loads may return views."""
    detail: str = ""
    """``argument #2`` for an argument: shown beside the type in messages."""


@dataclass(eq=False)
class Buffer:
    """A memref value: a view of ``root.data`` with the memref's type for messages."""

    root: Root
    data: np.ndarray[Any, Any]
    type_str: str
    offset: int = 0
    """Element offset of ``data[0, ..., 0]`` in the flattened root."""
    strides: tuple[int, ...] = field(default=())
    """Element strides of ``data`` in the root."""

    @staticmethod
    def whole(root: Root, type_str: str) -> Buffer:
        """A buffer that views all of ``root``."""
        return Buffer.of_view(root, root.data, type_str)

    @staticmethod
    def of_view(root: Root, view: np.ndarray[Any, Any], type_str: str) -> Buffer:
        """A buffer for a numpy view into ``root.data``."""
        itemsize = max(1, root.data.itemsize)
        base = int(root.data.__array_interface__["data"][0])
        start = int(view.__array_interface__["data"][0])
        strides = tuple(int(s) // itemsize for s in view.strides)
        return Buffer(root, view, type_str, (start - base) // itemsize, strides)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    def describe(self) -> str:
        """``%k (argument #2, memref<1x1024xf32>)``."""
        detail = f"{self.root.detail}, " if self.root.detail else ""
        return f"{self.root.name} ({detail}{self.type_str})"

    def aux(self, array: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """The same view of another array shaped like the root (init flags, owners)."""
        if self.data is self.root.data:
            return array
        flat = array.reshape(-1)[self.offset :]
        return as_strided(
            flat,
            shape=self.data.shape,
            strides=tuple(s * array.itemsize for s in self.strides),
            writeable=True,
        )

    def subview(
        self,
        offsets: Sequence[int],
        sizes: Sequence[int],
        strides: Sequence[int],
        result_shape: Sequence[int],
        type_str: str,
    ) -> Buffer:
        """``memref.subview``: a strided window, bounds checked, rank reduced to ``result_shape``."""
        index: list[slice] = []
        for axis, (off, size, stride, dim) in enumerate(
            zip(offsets, sizes, strides, self.shape, strict=True)
        ):
            last = off + (size - 1) * stride
            if size < 0 or stride < 1 or off < 0 or (size > 0 and last >= dim):
                raise Fault(
                    f"subview offset {off}, size {size}, stride {stride} along axis {axis} "
                    f"is outside {self.describe()} (dimension {dim}); keep offset + "
                    f"(size - 1) * stride < {dim}"
                )
            index.append(slice(off, off + size * stride if size else off, stride))
        view = self.data[tuple(index)]
        if tuple(view.shape) != tuple(result_shape):
            # A rank-reducing subview drops unit dimensions: still a view.
            view = view.reshape(tuple(result_shape))
        return Buffer.of_view(self.root, view, type_str)

    # -- checked element access ------------------------------------------ #

    def check_index(self, indices: Sequence[int], verb: str) -> None:
        """``memref.load`` / ``memref.store`` bounds."""
        for axis, (i, dim) in enumerate(zip(indices, self.shape, strict=True)):
            if not 0 <= i < dim:
                raise Fault(
                    f"{verb} element [{', '.join(map(str, indices))}] of {self.describe()}: "
                    f"index {i} along axis {axis} is outside 0..{dim - 1}"
                )

    def check_init(self, region: tuple[slice | int, ...], verb: str) -> None:
        """Fail when ``region`` holds an element of a ``memref.alloc`` never written."""
        if self.root.init is None:
            return
        flags = self.aux(self.root.init)[region]
        if bool(np.all(flags)):
            return
        missing = np.argwhere(~np.asarray(flags))[0]
        element = _region_element(region, [int(m) for m in missing], self.shape)
        raise Fault(
            f"{verb} element [{', '.join(map(str, element))}] of {self.describe()} before "
            "anything was stored there (memref.alloc leaves memory uninitialised); write "
            "it first (linalg.fill, memref.store, memref.copy or tile.store)"
        )

    def mark_init(self, region: tuple[slice | int, ...]) -> None:
        """Record that ``region`` now holds defined values."""
        if self.root.init is not None:
            self.aux(self.root.init)[region] = True

    def load(self, indices: Sequence[int]) -> Any:
        """``memref.load``: one element."""
        self.check_index(indices, "reads")
        region = tuple(indices)
        self.check_init(region, "reads")
        return self.data[region]

    def store(self, indices: Sequence[int], value: Any) -> None:
        """``memref.store``: one element."""
        self.check_index(indices, "writes")
        region = tuple(indices)
        self.data[region] = value
        self.mark_init(region)

    def copy_from(self, source: Buffer) -> None:
        """``memref.copy``: every element; the source must be fully initialised."""
        everything = tuple(slice(None) for _ in source.shape)
        source.check_init(everything, "copies")
        self.data[...] = source.data
        self.mark_init(everything)

    # -- checked tile access --------------------------------------------- #

    def tile_region(
        self,
        verb: str,
        offsets: Sequence[int],
        tile_shape: tuple[int, int],
        valid: Sequence[int] | None,
    ) -> tuple[slice, slice]:
        """
        The GM region a ``tile.load`` / ``tile.store`` touches, after the checks.

        Without ``valid`` the whole tile; with it the top-left ``r x c``.  The
        region must lie inside the memref, offsets included.
        """
        rows, cols = tile_shape
        if valid is not None:
            vr, vc = valid
            if not (0 <= vr <= rows and 0 <= vc <= cols):
                raise Fault(
                    f"valid({vr}, {vc}) is outside the {rows}x{cols} tile; valid extents "
                    f"must lie between 0 and the tile's shape"
                )
            rows, cols = vr, vc
        r0, c0 = offsets
        region = (slice(r0, r0 + rows), slice(c0, c0 + cols))
        if rows == 0 or cols == 0:
            return region
        m_rows, m_cols = self.shape
        problems: list[str] = []
        if r0 < 0 or c0 < 0:
            problems.append("offsets must not be negative")
        if r0 + rows > m_rows:
            problems.append(f"row {r0 + rows - 1} is past the last row {m_rows - 1}")
        if c0 + cols > m_cols:
            problems.append(f"column {c0 + cols - 1} is past the last column {m_cols - 1}")
        if problems:
            fix = (
                "keep offset + extent within the memref"
                if valid is not None
                else "keep offset + extent within the memref, or give valid(...) extents "
                "for a partial tile"
            )
            raise Fault(
                f"{verb} rows {r0}..{r0 + rows - 1} x columns {c0}..{c0 + cols - 1} of "
                f"{self.describe()} (offsets [{r0}, {c0}], extent {rows}x{cols}): "
                f"{'; '.join(problems)}; {fix}"
            )
        return region

    def read_tile(
        self,
        offsets: Sequence[int],
        tile_shape: tuple[int, int],
        valid: Sequence[int] | None,
        dtype: np.dtype[Any],
    ) -> np.ndarray[Any, Any]:
        """``tile.load``: a new [R, C] array; outside ``valid`` it is zero."""
        region = self.tile_region("reads", offsets, tile_shape, valid)
        self.check_init(region, "reads")
        if valid is None:
            return np.array(self.data[region], dtype=dtype, copy=True)
        out = np.zeros(tile_shape, dtype=dtype)
        vr, vc = valid
        if vr and vc:
            # (An empty valid region reads nothing: its offsets need not be in
            # bounds, and numpy would clip its slice to another shape.)
            out[:vr, :vc] = self.data[region]
        return out

    def write_tile(
        self,
        offsets: Sequence[int],
        value: np.ndarray[Any, Any],
        valid: Sequence[int] | None,
        atomic_add: bool,
    ) -> int:
        """``tile.store``: write (or add, for ``atomic add``); returns the elements written."""
        tile_shape = (int(value.shape[0]), int(value.shape[1]))
        region = self.tile_region("writes", offsets, tile_shape, valid)
        part = value if valid is None else value[: valid[0], : valid[1]]
        if part.size == 0:
            return 0  # an empty valid region writes nothing (see read_tile)
        if atomic_add:
            # An atomic add reads GM: what it adds to must be defined.
            self.check_init(region, "adds to")
            with np.errstate(all="ignore"):
                self.data[region] = self.data[region] + part
        else:
            self.data[region] = part
        self.mark_init(region)
        return int(part.size)


def alloc_buffer(op: Operation, dynamic_sizes: Sequence[int], budget: MemoryBudget) -> Buffer:
    """``memref.alloc`` / ``memref.alloca``: a zeroed buffer whose elements count as unwritten."""
    result_type = cast(MemRefType[Attribute], op.results[0].type)
    sizes = iter(dynamic_sizes)
    shape = tuple(next(sizes) if d == DYNAMIC_INDEX else d for d in memref_shape(result_type))
    if any(d < 0 for d in shape):
        raise Fault(f"allocates a memref with a negative size {list(shape)}")
    dtype = element_dtype(result_type)
    nbytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
    budget.reserve(nbytes, f"allocating {result_type}")
    where = op_loc(op)
    name = f"the {op.name} at {where}" if where is not None else f"a {op.name}"
    try:
        # Zeroed so that runs are reproducible; reading before writing is an error anyway.
        root = Root(np.zeros(shape, dtype), name, init=np.zeros(shape, np.bool_))
    except MemoryError:
        raise Fault(
            f"the system could not allocate {result_type} ({format_bytes(nbytes)}) although "
            "the memory budget allowed it; lower --memory-budget"
        ) from None
    return Buffer.whole(root, str(result_type))


def _region_element(
    region: tuple[slice | int, ...], local: list[int], shape: tuple[int, ...]
) -> list[int]:
    """Absolute indices of the ``local`` element of ``region``."""
    out: list[int] = []
    it = iter(local)
    for part, dim in zip(region, shape):
        if isinstance(part, int):
            out.append(part)
            continue
        start, _, step = part.indices(dim)
        out.append(start + next(it) * step)
    return out
