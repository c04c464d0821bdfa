"""
``qkv-opt``: the optimizer driver, an ``xDSLOptMain`` with MLIR's conventions.

* every registered pass is also a flag, ``--aiv-rowsum`` or
  ``--aiv-rowsum='nv=32 kc=512'``, applied in command-line order with ``-p``;
* diagnostics are located (``FILE:LINE:COL: error: ...``) and
  ``--verify-diagnostics`` checks ``expected-error @+1 {{...}}`` annotations;
* ``-o FILE`` is written only when everything succeeded;
* exit codes: 0 success, 1 any diagnostic, 2 usage error; no traceback for bad
  input (``--traceback`` shows one for a bug).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from io import StringIO
from typing import Any, NoReturn

from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.printer import Printer
from xdsl.xdsl_opt_main import xDSLOptMain

import qkv_opt
from qkv_opt.dialects import make_context
from qkv_opt.passes import get_all_passes, get_generic_passes
from qkv_opt.passes.pipeline import PipelineError, build_pipeline, describe_options, pass_summary
from qkv_opt.tools.verify_diagnostics import check_expected
from qkv_opt.utils.diagnostics import (
    Diagnostic,
    DiagnosticEngine,
    DiagnosticError,
    Severity,
    SourceFiles,
    collecting,
    render,
)
from qkv_opt.utils.source import (
    decode_input,
    parse_source,
    read_input_bytes,
    split_chunks,
    verify_module,
)

EXIT_OK, EXIT_DIAGNOSTIC, EXIT_USAGE = 0, 1, 2


@dataclass
class PipelineStep:
    """One ``-p SPEC`` or ``--NAME[=OPTS]`` from the command line, in order."""

    spec: str
    origin: str


@dataclass
class ChunkResult:
    output: str | None
    diagnostics: list[Diagnostic] = field(default_factory=lambda: list[Diagnostic]())
    report: str | None = None


MEMORY_REPORT_FORMATS = ("text", "json", "svg")


class _ArgumentParser(argparse.ArgumentParser):
    """argparse, but usage errors say ``error:`` on one line and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"error: {message} (see qkv-opt --help)\n")


class QkvOptMain(xDSLOptMain):
    """The qkv-opt command line on xDSL's optimizer-driver hooks."""

    version_format = "qkv-opt {qkv_version} (xDSL {xdsl_version})"

    def __init__(self, args: Sequence[str] | None = None):
        self.available_frontends = {}
        self.available_passes = {}
        self.available_targets = {}
        argv = list(sys.argv[1:] if args is None else args)
        self.ctx = make_context()
        self.register_all_dialects()
        self.register_all_passes()
        self.memory_report, argv = self._take_memory_report(argv)
        self.steps, argv = self._take_pipeline_steps(argv)
        arg_parser = _ArgumentParser(
            prog="qkv-opt",
            description=(
                "Lower K/V projections of LLM decode layers to Ascend tile programs "
                "(AIV row-sum or cube split-K) and check them against the target."
            ),
            formatter_class=argparse.RawDescriptionHelpFormatter,
            allow_abbrev=False,
            epilog=self._epilog(),
        )
        self.register_all_arguments(arg_parser)
        self.args = arg_parser.parse_args(argv)
        self.ctx.allow_unregistered = self.args.allow_unregistered_dialect

    # -- registration hooks of xDSLOptMain -------------------------------- #

    def register_all_dialects(self) -> None:
        # make_context() already registered the tile dialect and xDSL's dialects.
        pass

    def register_all_passes(self) -> None:
        for name, factory in {**get_all_passes(), **get_generic_passes()}.items():
            self.register_pass(name, factory)

    def register_all_arguments(self, arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument(
            "input_file", nargs="?", default="-", help="input .mlir file ('-' or none: stdin)"
        )
        arg_parser.add_argument(
            "-o", "--output-file", metavar="FILE", help="write the output here (only on success)"
        )
        arg_parser.add_argument(
            "-p",
            "--passes",
            metavar="PIPELINE",
            help="comma-separated passes with options, e.g. 'aiv-rowsum{nv=16},check-target'",
        )
        passes = arg_parser.add_argument_group(
            "passes",
            "each registered pass is a flag, run in command-line order together with -p; "
            "options as --NAME='key=value ...' (or -p 'NAME{key=value ...}')",
        )
        for name in sorted(self.available_passes):
            pass_cls = self.available_passes[name]()
            options = describe_options(pass_cls)
            passes.add_argument(
                f"--{name}",
                metavar="OPTS",
                nargs="?",
                dest=f"_pass_{name}",
                help=pass_summary(pass_cls, name) + (f" [{options}]" if options else ""),
            )
        arg_parser.add_argument(
            "--memory-report",
            metavar="FORMAT",
            nargs="?",
            dest="_memory_report",
            help="print each tile.task's memory plan (text, json or svg) to stdout "
            "instead of the IR, after the passes ran (IR still goes to -o)",
        )
        arg_parser.add_argument(
            "--target",
            default="ascend910b",
            help="target whose capacities --memory-report compares against "
            "(ascend910b, ascend950; passes take their own target= option)",
        )
        arg_parser.add_argument(
            "--split-input-file",
            action="store_true",
            help="process each '// -----' chunk separately",
        )
        arg_parser.add_argument(
            "--verify-diagnostics",
            action="store_true",
            help="check 'expected-error @+N {{...}}' annotations instead of printing diagnostics",
        )
        # The mlir-opt spellings are accepted too, for scripts written against it.
        arg_parser.add_argument(
            "--print-op-generic",
            "--mlir-print-op-generic",
            action="store_true",
            help="print every op in the generic form",
        )
        arg_parser.add_argument(
            "--print-debuginfo",
            "--mlir-print-debuginfo",
            action="store_true",
            help="print source locations (loc(...))",
        )
        arg_parser.add_argument(
            "--print-ir-after-all",
            "--mlir-print-ir-after-all",
            action="store_true",
            help="print the IR after each pass to stderr",
        )
        arg_parser.add_argument(
            "--allow-unregistered-dialect",
            action="store_true",
            help="accept ops of dialects qkv-opt does not know",
        )
        arg_parser.add_argument(
            "--traceback",
            action="store_true",
            help="on an internal error, show the Python traceback",
        )
        arg_parser.add_argument(
            "--version", action=_VersionAction, help="print the qkv-opt and xDSL versions"
        )

    @staticmethod
    def _epilog() -> str:
        return (
            "examples:\n"
            "  qkv-opt --aiv-rowsum examples/qwen3_14b_kv_proj.mlir -o kv_aiv.mlir\n"
            "  qkv-opt -p 'aiv-rowsum{nv=32 kc=512},cube-matmul' qkv.mlir\n"
            "  qkv-opt --aiv-rowsum --memory-report=json kv.mlir\n"
            "  qkv-opt --split-input-file --verify-diagnostics invalid.mlir\n"
            "\n"
            "exit codes: 0 success, 1 diagnostics (parse, verify, pass), 2 usage"
        )

    @staticmethod
    def _take_memory_report(argv: list[str]) -> tuple[str | None, list[str]]:
        """``--memory-report[=text|json|svg]``, taken before argparse for the same reason."""
        fmt: str | None = None
        rest: list[str] = []
        for arg in argv:
            if arg == "--memory-report":
                fmt = "text"
            elif arg.startswith("--memory-report="):
                fmt = arg.split("=", 1)[1]
                if fmt not in MEMORY_REPORT_FORMATS:
                    raise _UsageExit(
                        f"--memory-report takes one of {', '.join(MEMORY_REPORT_FORMATS)}, "
                        f"got '{fmt}'"
                    )
            else:
                rest.append(arg)
        return fmt, rest

    def _take_pipeline_steps(self, argv: list[str]) -> tuple[list[PipelineStep], list[str]]:
        """
        Pull ``-p`` and ``--NAME[=OPTS]`` out of argv in order.

        Done before argparse so that ``--aiv-rowsum file.mlir`` never takes the
        file as the pass's options, and so the passes run in the order written.
        """
        steps: list[PipelineStep] = []
        rest: list[str] = []
        it = iter(argv)
        for arg in it:
            if arg == "--":
                rest.append(arg)
                rest.extend(it)
                break
            if arg in ("-p", "--passes"):
                value = next(it, None)
                if value is None:
                    rest.append(arg)  # argparse reports the missing value
                    continue
                steps.append(PipelineStep(value, arg))
                continue
            if arg.startswith(("-p=", "--passes=")):
                steps.append(PipelineStep(arg.split("=", 1)[1], arg))
                continue
            if arg.startswith("-p") and len(arg) > 2 and not arg.startswith("--"):
                steps.append(PipelineStep(arg[2:], arg))
                continue
            if arg.startswith("--"):
                name, sep, opts = arg[2:].partition("=")
                if name in self.available_passes:
                    opts = opts.strip()
                    if opts.startswith("{") and opts.endswith("}"):
                        opts = opts[1:-1]
                    steps.append(PipelineStep(f"{name}{{{opts}}}" if sep and opts else name, arg))
                    continue
            rest.append(arg)
        return steps, rest

    # -- running ----------------------------------------------------------- #

    def build_passes(self) -> list[ModulePass]:
        passes: list[ModulePass] = []
        for step in self.steps:
            if not step.spec.strip():
                continue
            passes.extend(build_pipeline(self.available_passes, step.spec))
        return passes

    def read_input(self) -> tuple[str, str]:
        path = self.args.input_file
        if path == "-":
            return "<stdin>", decode_input(read_input_bytes(sys.stdin.buffer, "<stdin>"), "<stdin>")
        if os.path.isdir(path):
            raise _Usage(f"input '{path}' is a directory; give an .mlir file")
        try:
            with open(path, "rb") as f:
                data = read_input_bytes(f, path)
        except OSError as e:
            raise _Usage(f"cannot read input file '{path}': {e.strerror}") from None
        return path, decode_input(data, path)

    def process_chunk(
        self, name: str, text: str, line_offset: int, passes: Sequence[ModulePass]
    ) -> ChunkResult:
        engine = DiagnosticEngine()
        result = ChunkResult(None, engine.diagnostics)
        with collecting(engine):
            try:
                module = parse_source(self.ctx, text, name, line_offset)
                verify_module(module)
                for p in passes:
                    p.apply(self.ctx, module)
                    verify_module(module)
                    if self.args.print_ir_after_all:
                        sys.stderr.write(f"// -----// IR Dump After {p.name} //----- //\n")
                        sys.stderr.write(self.print_module(module))
                result.output = self.print_module(module)
                if self.memory_report is not None:
                    result.report = self.render_memory_report(module)
            except DiagnosticError as e:
                engine.diagnostics.extend(e.diagnostics)
        return result

    def render_memory_report(self, module: ModuleOp) -> str:
        from qkv_opt.analysis.memory_report import render_report
        from qkv_opt.dialects.targets import get_target

        assert self.memory_report is not None
        return render_report(module, get_target(self.args.target), self.memory_report)

    def print_module(self, module: ModuleOp) -> str:
        out = StringIO()
        printer = Printer(
            stream=out,
            print_generic_format=self.args.print_op_generic,
            print_debuginfo=self.args.print_debuginfo,
        )
        printer.print_op(module)
        out.write("\n")
        return out.getvalue()

    def run(self) -> None:
        raise SystemExit(self.execute())

    def execute(self) -> int:
        """Run the whole job; the exit code."""
        sources = SourceFiles()
        try:
            get_target_checked(self.args.target)
            passes = self.build_passes()
            name, text = self.read_input()
        except PipelineError as e:
            return _fail(str(e))
        except _Usage as e:
            return _fail(str(e))
        except DiagnosticError as e:
            print("\n".join(render(d, sources) for d in e.diagnostics), file=sys.stderr)
            return EXIT_DIAGNOSTIC
        sources.add(name, text)

        outputs: list[str] = []
        reports: list[str] = []
        failed = False
        for chunk in split_chunks(text, self.args.split_input_file):
            result = self.process_chunk(name, chunk.text, chunk.line_offset, passes)
            if self.args.verify_diagnostics:
                problems = check_expected(name, chunk.text, chunk.line_offset, result.diagnostics)
                for problem in problems:
                    print(render(problem, sources), file=sys.stderr)
                failed |= bool(problems)
            else:
                for diag in result.diagnostics:
                    print(render(diag, sources), file=sys.stderr)
                failed |= any(d.severity == Severity.ERROR for d in result.diagnostics)
            if result.output is not None:
                outputs.append(result.output)
            if result.report is not None:
                reports.append(result.report)

        if failed:
            return EXIT_DIAGNOSTIC
        if self.memory_report is None:
            return self.write_output("// -----\n".join(outputs))
        sys.stdout.write("".join(reports))
        if self.args.output_file is None:
            return EXIT_OK
        return self.write_output("// -----\n".join(outputs))

    def write_output(self, text: str) -> int:
        path = self.args.output_file
        if path is None or path == "-":
            sys.stdout.write(text)
            sys.stdout.flush()
            return EXIT_OK
        # Through a symlink, the file it names is what gets replaced.
        target = os.path.realpath(path)
        if os.path.exists(target) and not os.path.isfile(target) and not os.path.isdir(target):
            # A device or a FIFO (-o /dev/null, a pipe): renaming over it would
            # replace the node itself with a file, so write into it.
            try:
                with open(target, "w", encoding="utf-8") as f:
                    f.write(text)
            except OSError as e:
                return _fail(f"cannot write output file '{path}': {e.strerror}")
            return EXIT_OK
        try:
            # Write beside the target, then rename: a reader (or a failure) never
            # sees a partial file, and an old file survives until we succeed.
            fd, tmp = tempfile.mkstemp(
                prefix=".qkv-opt-", suffix=".mlir", dir=os.path.dirname(target)
            )
        except OSError as e:
            return _fail(f"cannot write output file '{path}': {e.strerror}")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            # mkstemp makes the file 0600: give it the mode the file had, or
            # the one a plain open() would (0666 less the umask).
            os.chmod(tmp, _output_mode(target))
            os.replace(tmp, target)
        except OSError as e:
            _remove_quietly(tmp)
            return _fail(f"cannot write output file '{path}': {e.strerror}")
        return EXIT_OK


class _Usage(Exception):
    """A problem with how qkv-opt was invoked (not with the IR)."""


class _UsageExit(Exception):
    """A malformed command line found before argparse runs: exit 2."""


def get_target_checked(name: str) -> None:
    from qkv_opt.dialects.targets import get_target

    try:
        get_target(name)
    except ValueError as e:
        raise _Usage(str(e)) from None


class _VersionAction(argparse.Action):
    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any):
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        print(
            QkvOptMain.version_format.format(
                qkv_version=qkv_opt.__version__, xdsl_version=version("xdsl")
            )
        )
        parser.exit()


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_DIAGNOSTIC


def _output_mode(path: str) -> int:
    """The permission bits of an existing file, else 0666 less the umask."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


# Deeply nested IR recurses deeply in xDSL's parser, verifier and printer (about
# ten Python frames per region level).  The tools run on a thread with a large
# stack and a matching recursion limit, so thousands of nested regions work and
# only absurd depths end in a clean "nests too deeply" error, never a crash.
_STACK_BYTES = 512 * 1024 * 1024
_RECURSION_LIMIT = 200_000


def run_with_deep_stack(body: Callable[[], int]) -> int:
    """Run ``body`` on a thread with a 512 MiB stack; its result or exception."""
    result: list[int] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            result.append(body())
        except BaseException as e:  # re-raised on the calling thread
            failure.append(e)

    previous_limit = sys.getrecursionlimit()
    previous_stack = threading.stack_size()
    try:
        threading.stack_size(_STACK_BYTES)
        sys.setrecursionlimit(_RECURSION_LIMIT)
        worker = threading.Thread(target=target, name="qkv-opt", daemon=True)
        worker.start()
    finally:
        threading.stack_size(previous_stack)
    try:
        worker.join()
    finally:
        sys.setrecursionlimit(previous_limit)
    if failure:
        raise failure[0]
    return result[0]


def guarded_main(body: Callable[[], int], argv: Sequence[str]) -> int:
    """
    Run a tool's body; an unexpected exception is an internal error, reported
    as one ``error:`` line (exit 1) unless ``--traceback`` asks for the trace.
    """
    try:
        return run_with_deep_stack(body)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except RecursionError:
        print("error: input nests too deeply to process (Python recursion limit)", file=sys.stderr)
        return EXIT_DIAGNOSTIC
    except MemoryError:
        print("error: out of memory", file=sys.stderr)
        return EXIT_DIAGNOSTIC
    except Exception as e:
        if "--traceback" in argv:
            traceback.print_exc()
        print(
            f"error: internal error: {type(e).__name__}: {e} "
            "(this is a bug in qkv-opt; rerun with --traceback and report it)",
            file=sys.stderr,
        )
        return EXIT_DIAGNOSTIC


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)

    def body() -> int:
        try:
            tool = QkvOptMain(args)
        except _UsageExit as e:
            print(f"error: {e} (see qkv-opt --help)", file=sys.stderr)
            return EXIT_USAGE
        return tool.execute()

    return guarded_main(body, args)


if __name__ == "__main__":
    sys.exit(main())
