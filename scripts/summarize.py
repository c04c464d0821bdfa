"""
Sum the results of every suite into one line: ``N passed, N failed``.

A suite with a JUnit XML file (lit, pytest, wheel) counts its test cases; a
suite without one (ruff, pyright) counts as one check.  A suite that exited
non-zero without a failing case in its XML (it crashed or timed out) counts as
one more failure.  Skipped/unsupported cases are listed, never counted as passed.
Exit status: 0 only if nothing failed.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def count_xml(path: Path) -> tuple[int, int, int]:
    """(passed, failed, skipped) test cases in a JUnit XML file."""
    passed = failed = skipped = 0
    for case in ET.parse(path).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


def main(results: Path) -> int:
    total_passed = total_failed = total_skipped = 0
    for rc_file in sorted(results.glob("*.rc")):
        name = rc_file.stem
        rc = int(rc_file.read_text().strip() or "1")
        xml = results / f"{name}.xml"
        if xml.exists():
            passed, failed, skipped = count_xml(xml)
            if rc != 0 and failed == 0:
                failed = 1  # the suite broke before reporting a failing case
        else:
            passed, failed, skipped = (1, 0, 0) if rc == 0 else (0, 1, 0)
        print(
            f"  {name:<8} {passed:>5} passed, {failed:>3} failed, {skipped:>3} skipped/unsupported"
        )
        total_passed += passed
        total_failed += failed
        total_skipped += skipped
    if total_skipped:
        print(f"  ({total_skipped} skipped or unsupported, not counted as passed)")
    print(f"{total_passed} passed, {total_failed} failed")
    return 0 if total_failed == 0 and total_passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
