"""Print how many posts per second the renderer turns into a document: sanitized HTML and its outline.

Usage: python bench/render.py [--post bench/data/post.md] [--seconds 5] [--profile]

Single process, single thread. The post is a Chinese technical article with inline and
display math, highlighted code, a table, a task list and a footnote. blog.math caches
converted formulas, so two figures are printed: cold, with that cache emptied before
every render (a post nobody rendered before), and warm, with it kept (a re-save or an
admin preview, where the formulas are already known). The page figures are of
render_document (what a save stores: HTML plus the outline excerpts and search read); the
outline alone is timed too, so its share is visible.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import report
from blog.document import Document
from blog.markdown import _PARSER, render_document, render_markdown
from blog.math import tex_to_mathml

DEFAULT_POST = Path(__file__).resolve().parent / "data" / "post.md"


def count_formulas(text: str) -> int:
    """Return how many math tokens the parser finds in ``text``."""
    count = 0
    pending = list(_PARSER.parse(text))
    while pending:
        token = pending.pop()
        if token.type.startswith("math") or token.type == "amsmath":
            count += 1
        pending.extend(token.children or ())
    return count


def posts_per_second(render, text: str, seconds: float, *, cold: bool) -> tuple[float, int]:
    """Call ``render(text)`` repeatedly for about ``seconds``; return (posts/s, renders).

    With ``cold``, the formula cache is emptied before each render, inside the timing.
    """
    render(text)  # imports, lexer lookups
    renders = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        if cold:
            tex_to_mathml.cache_clear()
        render(text)
        renders += 1
    return renders / (time.perf_counter() - started), renders


def render_for_feed(text: str) -> str:
    return render_markdown(text, inline_styles=True)


def report_rate(label: str, rate: float, renders: int, **context: object) -> None:
    """Record one throughput figure (printed, and kept in var/bench/results.jsonl)."""
    report("render", label, rate, "posts/s", renders=renders, **context)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--post", type=Path, default=DEFAULT_POST)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--profile", action="store_true", help="print the top cProfile entries")
    arguments = parser.parse_args()

    text = arguments.post.read_text(encoding="utf-8")
    html = render_markdown(text)
    print(
        f"machine: {os.cpu_count()} cores ({platform.processor() or platform.machine()}), "
        f"Python {platform.python_version()}, 1 process, 1 thread"
    )
    print(
        f"post: {arguments.post.name}, {len(text):,} characters ({len(text.encode()):,} bytes "
        f"UTF-8), {count_formulas(text)} formulas, {text.count(chr(10) + '```') // 2} code "
        f"blocks, {html.count('<table')} table; output {len(html):,} characters"
    )
    post = {"post_chars": len(text), "formulas": count_formulas(text)}
    seconds = arguments.seconds
    cold_rate = posts_per_second(render_document, text, seconds, cold=True)
    report_rate("render_document (HTML + outline), cold (formula cache emptied)", *cold_rate, **post)
    warm_rate = posts_per_second(render_document, text, seconds, cold=False)
    report_rate("render_document (HTML + outline), warm (formula cache kept)", *warm_rate, **post)
    outline_rate = posts_per_second(lambda _: Document.from_html(html), text, seconds / 2, cold=False)
    report_rate("outline alone (Document.from_html of the page HTML)", *outline_rate, **post)
    feed_rate = posts_per_second(render_for_feed, text, arguments.seconds / 2, cold=True)
    report_rate("render_markdown feed, cold (inline-styled code)", *feed_rate, **post)
    print("target: >= 100 posts/s on one core for render_document")

    if arguments.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(100):
            tex_to_mathml.cache_clear()
            render_document(text)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
