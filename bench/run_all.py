"""Run every benchmark, then print one table of every figure and keep it in docs/benchmarks.md.

Usage: python bench/run_all.py [--only NAME ...]

Each script runs in its own process, in the order below, against the services in
DATABASE_URL / REDIS_URL (make bench provides embedded ones where none are set). Each one
appends its figures to var/bench/results.jsonl; this script starts that file afresh.
"""

import argparse
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "var" / "bench" / "results.jsonl"
TABLE = ROOT / "docs" / "benchmarks.md"
SCRIPTS = ["render", "math_coverage", "excerpts", "timeline", "ingest", "search", "feeds", "load"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=SCRIPTS, help="Run only these scripts.")
    options = parser.parse_args()
    chosen = options.only or SCRIPTS
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("")
    failed = []
    for name in chosen:
        script = ROOT / "bench" / f"{name}.py"
        if not script.exists():
            print(f"== {name}: not present, skipped", flush=True)
            continue
        print(f"== {name}", flush=True)
        if subprocess.run([sys.executable, str(script)], cwd=ROOT, env=os.environ.copy()).returncode:
            failed.append(name)
    rows = [json.loads(line) for line in RESULTS.read_text().splitlines() if line.strip()]
    table = render_table(rows)
    ceiling = render_ceiling_table(rows)
    print("\n" + table)
    if ceiling:
        print("\n" + ceiling)
    if not options.only:
        TABLE.parent.mkdir(exist_ok=True)
        measured = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        TABLE.write_text(
            "# Benchmarks\n\n"
            f"Measured {measured} with `make bench` (that is, `python bench/run_all.py`) on "
            f"{os.cpu_count()} cores. Each script also runs alone: `python bench/<name>.py --help`.\n\n"
            + (f"{CEILING_HEADING}\n\n{CEILING_INTRO}\n\n{ceiling}\n\n## Every figure\n\n" if ceiling else "")
            + table
            + "\n"
        )
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


CEILING_HEADING = "## Cached pages as a share of the ceiling (bench/load.py)"
CEILING_INTRO = (
    "The ceiling is bench/ceiling.py, a bare WSGI app returning a cached 40 KB page from Redis, "
    "served by the same gunicorn settings in the same run, before and after each route; a route's "
    "share is its req/s over the mean of those two ceiling runs (1.00 is as fast as the ceiling), "
    "and p99 ÷ ceiling's compares tail latencies the same way."
)


def render_ceiling_table(rows):
    """A Markdown table of bench/load.py's routes as shares of the ceiling, or "" without them."""
    figures = {row["figure"]: row for row in rows if row["script"] == "load"}
    routes = [
        figure.removeprefix("load ").removesuffix(" share of ceiling")
        for figure in figures
        if figure.endswith(" share of ceiling")
    ]
    if not routes:
        return ""
    first = figures[f"load {routes[0]} share of ceiling"]
    lines = [
        f"{first['posts']:,} posts, {first['cores']} cores, {first['gunicorn_workers']} gunicorn workers, "
        f"wrk -t2 -c{first['connections']}, {first['seconds']} s a route:",
        "",
        "| route | req/s | ceiling beside it, req/s | share of ceiling | p99 ms | p99 ÷ ceiling's | errors |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for route in routes:
        value = {kind: figures[f"load {route} {kind}"]["value"] for kind in
                 ("requests/s", "ceiling requests/s", "share of ceiling", "p99", "p99 / ceiling p99",
                  "errors")}  # fmt: skip
        seconds = figures[f"load {route} share of ceiling"].get("seconds")
        label = f"{route} ({seconds} s)" if seconds != first.get("seconds") else route
        lines.append(
            f"| {label} | {value['requests/s']:,.0f} | {value['ceiling requests/s']:,.0f} | "
            f"{value['share of ceiling']:.2f} | "
            f"{value['p99']:.1f} | {value['p99 / ceiling p99']:.2f} | {value['errors']:.0f} |"
        )
    return "\n".join(lines)


def render_table(rows):
    """A Markdown table of the figures, with the data size each was measured on."""
    lines = ["| script | figure | value | unit | data |", "| --- | --- | --- | --- | --- |"]
    for row in rows:
        data = ", ".join(
            f"{key}={value}"
            for key, value in row.items()
            if key not in {"script", "figure", "value", "unit", "cores", "measured_at"}
        )
        lines.append(f"| {row['script']} | {row['figure']} | {row['value']:,} | {row['unit']} | {data} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
