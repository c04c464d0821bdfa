"""
``qkv-run``: run a function of an MLIR file on seeded inputs, optionally against a
reference program (DESIGN section 6).

    qkv-run FILE [--entry NAME] [--seed N] [--init random|zeros] [--reference REF]
            [--json] [--atol 3e-3] [--rtol 3e-3] [--max-error-ratio 0.02]
            [--save-outputs DIR] [--stats] [--print-outputs] [--all-entries]

* Every memref argument of the entry function gets standard-normal data in its
  element type from ``--seed`` (outputs too, unless ``--init zeros``): a
  non-zero initial output exercises accumulate semantics.  The same seed gives
  the same inputs and the same outputs.
* ``--reference REF`` runs REF's function of the same name on identical inputs
  and compares every memref argument afterwards with ``ratio_allclose``; exit 0
  when all pass, 1 when any fails.
* ``--json`` prints one object: ``{"entry", "passed", "args": [{"index", "shape",
  "dtype", "numel", "max_abs_err", "bad", "allowed", "passed"}], "ops_executed",
  "seconds"}`` plus ``"reference"`` (REF's path or null) and, with ``--stats``,
  ``"stats"``.  Without ``--reference`` nothing is compared: ``"passed"`` is
  true and each argument's ``max_abs_err``, ``bad``, ``allowed`` and ``passed``
  are null.  A NaN ``max_abs_err`` is null too (JSON has no NaN).  ``seconds``
  is the wall time of running FILE's function (parsing and input generation
  excluded).
* ``--save-outputs DIR`` writes every memref argument after the run as
  ``DIR/<entry>.arg<i>.npy`` (REF's as ``<entry>.arg<i>.ref.npy``) and
  ``DIR/manifest.json``.  numpy's .npy format has no bf16, so a bf16 array is
  saved as its exact float32 copy; the manifest records the IR dtype
  (``"dtype": "bf16"``) next to the saved one (``"saved_dtype": "float32"``).
* ``--stats`` adds the ops executed per unit (cube, vector, mte) and the bytes
  moved between GM and each on-chip space.

Exit codes: 0 success, 1 a diagnostic (parse, verify, run-time check) or a
mismatch against REF, 2 a usage error.  Bad input never shows a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

from qkv_opt.tools.qkv_opt import guarded_main
from qkv_opt.utils.diagnostics import (
    Diagnostic,
    DiagnosticError,
    Severity,
    SourceFiles,
    render,
)

if TYPE_CHECKING:
    import numpy as np
    from xdsl.dialects.builtin import ModuleOp
    from xdsl.dialects.func import FuncOp

    from qkv_opt.interpreter.compare import CompareResult
    from qkv_opt.interpreter.memory import MemoryBudget
    from qkv_opt.interpreter.stats import RunStats

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


class _ArgumentParser(argparse.ArgumentParser):
    """argparse, but usage errors say ``error:`` on one line and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"error: {message} (see qkv-run --help)\n")


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got '{text}'") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0, got '{text}'")
    return value


def _ratio(text: str) -> float:
    value = _non_negative(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"expected a ratio between 0 and 1, got '{text}'")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer seed, got '{text}'") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"the seed must be >= 0, got {value}")
    return value


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b?|b)?\s*$", re.IGNORECASE)


def _budget(text: str) -> str:
    """Validated here, turned into bytes once the interpreter is imported."""
    if text.endswith("%"):
        share = _non_negative(text[:-1])
        if not 0 < share <= 100:
            raise argparse.ArgumentTypeError(f"a share of RAM must be in (0, 100]%, got '{text}'")
        return text
    if _SIZE.match(text) is None:
        raise argparse.ArgumentTypeError(
            f"expected bytes (e.g. 8G, 512M, 1000000) or a share of RAM (e.g. 75%), got '{text}'"
        )
    return text


def make_parser() -> argparse.ArgumentParser:
    parser = _ArgumentParser(
        prog="qkv-run",
        description=(
            "Run a function of an MLIR file (tile programs, linalg, scf, memref) on "
            "seeded inputs on the CPU, and compare it with a reference program."
        ),
        epilog=(
            "exit codes: 0 success, 1 diagnostic or mismatch against --reference, 2 usage. "
            'Without --reference, --json reports "passed": true and null comparison fields.'
        ),
        allow_abbrev=False,
    )
    parser.add_argument("file", metavar="FILE", help="the .mlir file to run")
    parser.add_argument(
        "--entry", metavar="NAME", help="function to run (default: the only public one)"
    )
    parser.add_argument(
        "--all-entries",
        action="store_true",
        help="run every public function of FILE in turn (text output only)",
    )
    parser.add_argument(
        "--seed",
        type=_seed,
        default=0,
        metavar="N",
        help="seed of the standard-normal inputs (default 0)",
    )
    parser.add_argument(
        "--init",
        choices=("random", "zeros"),
        default="random",
        help="outputs (arguments the function writes) start random (default) or zero",
    )
    parser.add_argument(
        "--reference",
        metavar="REF",
        help="run REF's function of the same name on the same inputs and compare every memref argument",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    parser.add_argument(
        "--atol", type=_non_negative, default=3e-3, help="absolute tolerance (default 3e-3)"
    )
    parser.add_argument(
        "--rtol", type=_non_negative, default=3e-3, help="relative tolerance (default 3e-3)"
    )
    parser.add_argument(
        "--max-error-ratio",
        metavar="RATIO",
        type=_ratio,
        default=0.02,
        help="share of elements allowed outside the tolerance (default 0.02)",
    )
    parser.add_argument(
        "--save-outputs",
        metavar="DIR",
        help="write each memref argument after the run as .npy files in DIR",
    )
    parser.add_argument(
        "--stats",
        action="store_true",
        help="report ops executed per unit and bytes moved between GM and on-chip spaces",
    )
    parser.add_argument(
        "--print-outputs",
        action="store_true",
        help="print the values of every memref argument after the run",
    )
    parser.add_argument(
        "--executor",
        choices=("fast", "reference"),
        default="fast",
        help="fast (default) or the op-by-op reference interpreter; both give the same bits",
    )
    parser.add_argument(
        "--memory-budget",
        type=_budget,
        metavar="SIZE",
        help="most memory the run may allocate: bytes (8G, 512M) or a share of the available RAM (default 75%%)",
    )
    parser.add_argument(
        "--traceback", action="store_true", help="on an internal error, show the Python traceback"
    )
    return parser


class _Unreadable(Exception):
    """An input file that cannot be read: a diagnostic (exit 1), as in qkv-opt."""


class _BadUsage(Exception):
    """Flags that do not go together: a usage error (exit 2)."""


@dataclass
class _Program:
    path: str
    module: ModuleOp


def _read(path: str, sources: SourceFiles) -> _Program:
    from qkv_opt.dialects import make_context
    from qkv_opt.utils.source import decode_input, parse_source, read_input_bytes, verify_module

    if os.path.isdir(path):
        raise _Unreadable(f"'{path}' is a directory; give an .mlir file")
    try:
        with open(path, "rb") as f:
            data = read_input_bytes(f, path)
    except OSError as e:
        raise _Unreadable(f"cannot read '{path}': {e.strerror}") from None
    text = decode_input(data, path)
    sources.add(path, text)
    module = parse_source(make_context(), text, path)
    verify_module(module)
    return _Program(path, module)


def _budget_bytes(spec: str | None) -> MemoryBudget:
    from qkv_opt.interpreter.memory import MemoryBudget

    if spec is None:
        return MemoryBudget.default()
    if spec.endswith("%"):
        return MemoryBudget.default(float(spec[:-1]) / 100)
    match = _SIZE.match(spec)
    assert match is not None
    number, unit = float(match.group(1)), (match.group(2) or "b").lower()
    scale = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}.get(unit[:1], 1)
    limit = int(number * scale)
    return MemoryBudget(limit, "the --memory-budget")


def _error(message: str, fn: FuncOp | None = None) -> DiagnosticError:
    from qkv_opt.utils.diagnostics import error_at

    if fn is not None:
        return error_at(fn, message)
    return DiagnosticError([Diagnostic(Severity.ERROR, message)])


def _reference_function(ref: _Program, fn: FuncOp, file_path: str) -> FuncOp:
    from qkv_opt.interpreter.analysis import (
        find_function,
        function_signature,
        public_functions,
    )

    name = fn.sym_name.data
    ref_fn = find_function(ref.module, name)
    if ref_fn is None or not ref_fn.body.blocks:
        names = ", ".join(f"@{f.sym_name.data}" for f in public_functions(ref.module)) or "none"
        raise _error(
            f"the reference {ref.path} has no function @{name} to compare with "
            f"(its functions: {names}); --reference runs REF's function of the same name"
        )
    if list(ref_fn.function_type.inputs.data) != list(fn.function_type.inputs.data):
        raise _error(
            f"@{name} has signature {function_signature(fn)} in {file_path} but "
            f"{function_signature(ref_fn)} in the reference {ref.path}; --reference needs "
            "the same argument types to feed both the same inputs",
            fn,
        )
    return ref_fn


def _arg_label(fn: FuncOp, index: int) -> str:
    from qkv_opt.interpreter.faults import value_name

    block = fn.body.blocks.first
    if block is not None and index < len(block.args) and block.args[index].name_hint:
        return f"#{index} {value_name(block.args[index])}"
    return f"#{index}"


def _json_float(x: float) -> float | None:
    return x if math.isfinite(x) else None


@dataclass
class _Outcome:
    fn: FuncOp
    outputs: list[np.ndarray[Any, Any]]
    ref_outputs: list[np.ndarray[Any, Any]] | None
    results: list[CompareResult] | None
    stats: RunStats
    seconds: float

    @property
    def passed(self) -> bool:
        return self.results is None or all(r.passed for r in self.results)


def _run_entry(
    args: argparse.Namespace, program: _Program, ref: _Program | None, fn: FuncOp
) -> _Outcome:
    from qkv_opt.interpreter import RunStats, ratio_allclose, run_function, seeded_inputs
    from qkv_opt.interpreter.inputs import input_bytes

    ref_fn = _reference_function(ref, fn, program.path) if ref is not None else None
    budget = _budget_bytes(args.memory_budget)
    runs = 2 if ref_fn is not None else 1
    inputs = seeded_inputs(fn, args.seed, args.init, budget, copies=runs)
    # seeded_inputs reserved room for every run's outputs; run_function reserves
    # what each run really copies, so hand the estimate back.
    budget.release(budget.reserved - sum(input_bytes(fn)))
    if args.executor == "fast":
        # Imported before the clock starts: torch takes seconds to import.
        importlib.import_module("qkv_opt.interpreter.fast")
    stats = RunStats()
    start = time.perf_counter()
    outputs = run_function(
        program.module, fn.sym_name.data, inputs, executor=args.executor, budget=budget, stats=stats
    )
    seconds = time.perf_counter() - start
    if ref_fn is None or ref is None:
        return _Outcome(fn, outputs, None, None, stats, seconds)
    ref_outputs = run_function(
        ref.module, ref_fn.sym_name.data, inputs, executor=args.executor, budget=budget
    )
    results = [
        ratio_allclose(a, e, args.atol, args.rtol, args.max_error_ratio)
        for a, e in zip(outputs, ref_outputs)
    ]
    return _Outcome(fn, outputs, ref_outputs, results, stats, seconds)


def _mlir_dtype(fn: FuncOp, index: int) -> str:

    from qkv_opt.interpreter.dtypes import memref_element_type, short_type

    return short_type(memref_element_type(fn.function_type.inputs.data[index]))


def _as_json(args: argparse.Namespace, outcome: _Outcome) -> dict[str, Any]:
    entries: list[dict[str, Any]] = []
    for i, array in enumerate(outcome.outputs):
        r = outcome.results[i] if outcome.results is not None else None
        entries.append(
            {
                "index": i,
                "shape": list(array.shape),
                "dtype": _mlir_dtype(outcome.fn, i),
                "numel": int(array.size),
                "max_abs_err": None if r is None else _json_float(r.max_abs_err),
                "bad": None if r is None else r.bad,
                "allowed": None if r is None else r.allowed,
                "passed": None if r is None else r.passed,
            }
        )
    out: dict[str, Any] = {
        "entry": outcome.fn.sym_name.data,
        "passed": outcome.passed,
        "args": entries,
        "ops_executed": outcome.stats.ops_executed,
        "seconds": outcome.seconds,
        "reference": args.reference,
    }
    if args.stats:
        out["stats"] = outcome.stats.as_json()
    return out


def _text(args: argparse.Namespace, outcome: _Outcome) -> str:
    import numpy as np

    fn = outcome.fn
    name = fn.sym_name.data
    lines = [
        f"@{name}: {outcome.stats.ops_executed:,} ops in {outcome.seconds:.3f} s "
        f"(seed {args.seed}, init {args.init})"
    ]
    types = fn.function_type.inputs.data
    for i, array in enumerate(outcome.outputs):
        head = f"  arg {_arg_label(fn, i):<8} {types[i]!s:<28}"
        if outcome.results is None:
            values = array.astype(np.float64) if array.size else np.zeros(1)
            lines.append(
                f"{head} mean {float(np.mean(values)):.6g}, max |x| {float(np.max(np.abs(values))):.6g}"
            )
            continue
        r = outcome.results[i]
        verdict = "ok" if r.passed else "MISMATCH"
        lines.append(
            f"{head} max_abs_err {r.max_abs_err:.3g}, bad {r.bad:,} / {r.numel:,} "
            f"(allowed {r.allowed:,}) {verdict}"
        )
    if outcome.results is not None:
        lines.append(
            f"@{name}: {'passed' if outcome.passed else 'FAILED'} against {args.reference} "
            f"(atol {args.atol:g}, rtol {args.rtol:g}, max-error-ratio {args.max_error_ratio:g})"
        )
    if args.stats:
        lines.append(outcome.stats.render())
    if args.print_outputs:
        for i, array in enumerate(outcome.outputs):
            shown = array.astype(np.float32) if array.dtype.name == "bfloat16" else array
            text = np.array2string(shown, separator=", ", threshold=256, max_line_width=120)
            lines.append(f"arg {_arg_label(fn, i)} = {text}")
    return "\n".join(lines)


def _mismatch_errors(args: argparse.Namespace, outcome: _Outcome) -> list[Diagnostic]:
    from qkv_opt.utils.diagnostics import op_loc

    out: list[Diagnostic] = []
    if outcome.results is None:
        return out
    fn = outcome.fn
    for i, r in enumerate(outcome.results):
        if r.passed:
            continue
        where = "" if r.worst_index is None else f" at {list(r.worst_index)}"
        if r.nonfinite:
            why = f"{r.nonfinite:,} NaN or Inf element(s) (any fails)"
        else:
            why = (
                f"{r.bad:,} of {r.numel:,} elements beyond atol + rtol * |expected| "
                f"(allowed {r.allowed:,})"
            )
        out.append(
            Diagnostic(
                Severity.ERROR,
                f"@{fn.sym_name.data} argument {_arg_label(fn, i)} ({fn.function_type.inputs.data[i]}) "
                f"differs from the reference {args.reference}: {why}; max abs error "
                f"{r.max_abs_err:.6g}{where}",
                op_loc(fn),
            )
        )
    return out


def _save(args: argparse.Namespace, program: _Program, outcome: _Outcome) -> None:
    import numpy as np

    directory = args.save_outputs
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as e:
        raise _error(
            f"cannot create --save-outputs directory '{directory}': {e.strerror}"
        ) from None
    name = outcome.fn.sym_name.data
    manifest: dict[str, Any] = {
        "entry": name,
        "file": program.path,
        "reference": args.reference,
        "seed": args.seed,
        "init": args.init,
        "args": [],
    }
    for i, array in enumerate(outcome.outputs):
        saved = array.astype(np.float32) if array.dtype.name == "bfloat16" else array
        entry: dict[str, Any] = {
            "index": i,
            "type": str(outcome.fn.function_type.inputs.data[i]),
            "dtype": _mlir_dtype(outcome.fn, i),
            "saved_dtype": saved.dtype.name,
            "shape": list(array.shape),
            "file": f"{name}.arg{i}.npy",
        }
        pairs: list[tuple[str, np.ndarray[Any, Any]]] = [(entry["file"], saved)]
        if outcome.ref_outputs is not None:
            ref_array = outcome.ref_outputs[i]
            entry["reference_file"] = f"{name}.arg{i}.ref.npy"
            pairs.append(
                (
                    entry["reference_file"],
                    ref_array.astype(np.float32)
                    if ref_array.dtype.name == "bfloat16"
                    else ref_array,
                )
            )
        for filename, data in pairs:
            path = os.path.join(directory, filename)
            try:
                np.save(path, data)
            except OSError as e:
                raise _error(f"cannot write '{path}': {e.strerror}") from None
        manifest["args"].append(entry)
    path = os.path.join(directory, "manifest.json")
    try:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(manifest, f, indent=2)
            f.write("\n")
    except OSError as e:
        raise _error(f"cannot write '{path}': {e.strerror}") from None


def run(args: argparse.Namespace) -> int:
    """Everything after argument parsing; diagnostics go to stderr located."""
    sources = SourceFiles()
    try:
        if args.all_entries and (args.json or args.save_outputs or args.entry):
            raise _BadUsage(
                "--all-entries runs every public function and prints text; it does not "
                "combine with --entry, --json or --save-outputs"
            )
        program = _read(args.file, sources)
        ref = _read(args.reference, sources) if args.reference is not None else None
        if args.all_entries:
            from qkv_opt.interpreter.analysis import public_functions

            functions = public_functions(program.module)
            if not functions:
                raise _error(f"{program.path} has no public function with a body to run")
        else:
            from qkv_opt.interpreter import resolve_entry

            functions = [resolve_entry(program.module, args.entry, program.path)]
        status = EXIT_OK
        for fn in functions:
            outcome = _run_entry(args, program, ref, fn)
            if args.json:
                print(json.dumps(_as_json(args, outcome)))
            else:
                print(_text(args, outcome))
            sys.stdout.flush()
            for diag in _mismatch_errors(args, outcome):
                print(render(diag, sources), file=sys.stderr)
            if args.save_outputs:
                _save(args, program, outcome)
            if not outcome.passed:
                status = EXIT_FAIL
        return status
    except _BadUsage as e:
        print(f"error: {e} (see qkv-run --help)", file=sys.stderr)
        return EXIT_USAGE
    except _Unreadable as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_FAIL
    except DiagnosticError as e:
        sys.stdout.flush()
        print("\n".join(render(d, sources) for d in e.diagnostics), file=sys.stderr)
        return EXIT_FAIL
    except RecursionError:
        # Parsing reports deep nesting itself (a located DiagnosticError), so
        # this is the program: func.call chains the interpreter follows.
        sys.stdout.flush()
        print(
            "error: the program's calls nest deeper than the interpreter can follow "
            "(Python recursion limit); does a function call itself without end?",
            file=sys.stderr,
        )
        return EXIT_FAIL


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)

    def body() -> int:
        args = make_parser().parse_args(args_list)
        return run(args)

    return guarded_main(body, args_list)


if __name__ == "__main__":
    sys.exit(main())
