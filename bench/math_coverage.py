"""Print the share of a TeX corpus that blog.math converts to MathML without error.

Usage: python bench/math_coverage.py [--corpus bench/data/formulas.tex] [--show-failures]

The corpus holds one formula per line (lines starting with % are comments). Each
formula is converted both inline and as display math; a formula counts as covered
only if both succeed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import report
from blog.math import TexConversionError, convert_tex

DEFAULT_CORPUS = Path(__file__).resolve().parent / "data" / "formulas.tex"


def read_formulas(path: Path) -> list[str]:
    """Return the formulas in ``path``, skipping blank lines and % comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("%")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--show-failures", action="store_true", help="list every failing formula")
    arguments = parser.parse_args()

    formulas = read_formulas(arguments.corpus)
    failures: list[tuple[str, str]] = []
    started = time.perf_counter()
    for tex in formulas:
        try:
            convert_tex(tex, display=False)
            convert_tex(tex, display=True)
        except TexConversionError as error:
            failures.append((tex, str(error)))
    elapsed = time.perf_counter() - started

    converted = len(formulas) - len(failures)
    share = converted / len(formulas) if formulas else 0.0
    size = sum(len(tex) for tex in formulas)
    print(f"corpus: {arguments.corpus.name}, {len(formulas)} formulas, {size:,} characters")
    print(f"converted without error: {converted}/{len(formulas)} = {share:.1%} (target >= 98%)")
    report("math_coverage", "formulas converted without error", share * 100, "%", formulas=len(formulas))
    print(f"time: {elapsed * 1000:.0f} ms for {2 * len(formulas)} conversions (inline + display)")
    if failures:
        print(f"failures ({len(failures)}):")
        shown = failures if arguments.show_failures else failures[:10]
        for tex, message in shown:
            print(f"  {tex[:90]}\n    -> {message}")
        if len(shown) < len(failures):
            print(f"  … {len(failures) - len(shown)} more (--show-failures lists all)")
    return 0 if share >= 0.98 else 1


if __name__ == "__main__":
    sys.exit(main())
