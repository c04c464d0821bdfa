"""
Turning a pipeline string (``aiv-rowsum{nv=16},check-target``) into passes, with
error messages that name the pass, the option and what would be accepted.

Shared by the ``qkv-opt`` driver and the Python API, so ``-p`` and
``run_pipeline`` accept exactly the same text.
"""

from __future__ import annotations

import dataclasses
import difflib
import typing
from collections.abc import Callable, Mapping, Sequence

from xdsl.passes import ModulePass, get_pass_option_infos
from xdsl.utils.arg_spec import ArgSpec, parse_pipeline
from xdsl.utils.exceptions import ArgSpecParseError


class PipelineError(ValueError):
    """A pipeline string that names an unknown pass or option, or a bad value."""


PassRegistry = Mapping[str, Callable[[], type[ModulePass]]]


def option_name(field_name: str) -> str:
    return field_name.replace("_", "-")


def _suggest(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def describe_options(pass_cls: type[ModulePass]) -> str:
    """``nv=16 kc=auto ...``: every option with its default, for messages and help."""
    parts: list[str] = []
    for info in get_pass_option_infos(pass_cls):
        default = info.default_value
        parts.append(
            f"{option_name(info.name)}={default}" if default is not None else option_name(info.name)
        )
    return " ".join(parts)


def build_pass(registry: PassRegistry, spec: ArgSpec) -> ModulePass:
    if spec.name not in registry:
        known = sorted(registry)
        raise PipelineError(
            f"unknown pass '{spec.name}'{_suggest(spec.name, known)} "
            f"(registered passes: {', '.join(known)})"
        )
    pass_cls = registry[spec.name]()
    fields = {option_name(f.name) for f in dataclasses.fields(pass_cls) if f.init}
    for given in spec.parameters:
        if option_name(given) not in fields:
            options = describe_options(pass_cls) or "none"
            raise PipelineError(
                f"pass '{spec.name}' has no option '{given}'"
                f"{_suggest(option_name(given), sorted(fields))} (options: {options})"
            )
    _check_option_types(spec, pass_cls)
    try:
        return pass_cls.from_spec(spec)
    except PipelineError:
        raise
    except (ValueError, TypeError) as e:
        raise PipelineError(f"bad option for pass '{spec.name}': {e}") from None


_TYPE_WORDS = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}


def _check_option_types(spec: ArgSpec, pass_cls: type[ModulePass]) -> None:
    """Name the option and the expected type where xDSL would say 'Incompatible types'."""
    hints = typing.get_type_hints(pass_cls)
    for given, values in spec.normalize_parameter_names().parameters.items():
        expected = hints.get(given)
        if expected not in _TYPE_WORDS or len(values) != 1:
            continue
        value = values[0]
        ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            ok = True
        if not ok:
            # As written: xDSL reads `true` as Python's True.
            shown = str(value).lower() if isinstance(value, bool) else value
            raise PipelineError(
                f"option '{option_name(given)}' of pass '{spec.name}' expects "
                f"{_TYPE_WORDS[expected]}, got '{shown}'"
            )


def build_pipeline(registry: PassRegistry, text: str) -> list[ModulePass]:
    """Parse ``text`` (xDSL/MLIR pipeline syntax) into pass instances."""
    try:
        specs = list(parse_pipeline(text))
    except ArgSpecParseError as e:
        detail = str(e).removeprefix("Error parsing pass pipeline specification:\n")
        raise PipelineError(f"malformed pass pipeline '{text}':\n{detail}") from None
    return [build_pass(registry, spec) for spec in specs]


# xDSL's generic passes qkv-opt offers; not all of them carry a docstring.
_GENERIC_SUMMARIES = {
    "canonicalize": "Apply every op's canonicalization patterns.",
    "cse": "Eliminate common subexpressions.",
    "dce": "Remove operations whose results are unused and that have no effects.",
}


def pass_summary(pass_cls: type[ModulePass], name: str = "") -> str:
    """The first sentence of a pass's docstring: its one-line description."""
    doc = (pass_cls.__doc__ or "").strip()
    summary = doc.split("\n\n", 1)[0].replace("\n", " ").strip()
    return summary.replace("``", "") or _GENERIC_SUMMARIES.get(name, "")
