"""The rehearsal's judgement: how beat logs, nginx logs and the docs section are read and written.

The rehearsal itself (`make cluster-check`) builds a cluster and takes minutes; these are the
parts that decide what its report says, on inputs shaped like the real logs.
"""

from datetime import UTC, datetime

from bench.cluster_check import (
    Check,
    beat_sends,
    kill_offset,
    parse_nginx_log,
    period_summary,
    render_table,
    replace_section,
    runs_per_period,
)

BEAT_LOG = """\
celery beat v5.7.0 (collider) is starting.
[2026-12-01 20:04:26,001: INFO/MainProcess] beat: Starting...
[2026-12-01 20:05:00,027: INFO/MainProcess] Scheduler: Sending due task sync-search-index \
(search.tasks.sync_search_index)
[2026-12-01 20:05:00,054: INFO/MainProcess] Scheduler: Sending due task poll-due-sources \
(blog.tasks.poll_due_sources)
[2026-12-01 20:06:00,012: INFO/MainProcess] Scheduler: Sending due task poll-due-sources \
(blog.tasks.poll_due_sources)
[2026-12-01 20:06:00,013: WARNING/MainProcess] something else entirely
"""


def test_beat_sends_reads_every_due_task_line_and_nothing_else():
    sends = beat_sends(BEAT_LOG)
    assert sends == [
        (datetime(2026, 12, 1, 20, 5, 0), "sync-search-index"),
        (datetime(2026, 12, 1, 20, 5, 0), "poll-due-sources"),
        (datetime(2026, 12, 1, 20, 6, 0), "poll-due-sources"),
    ]


def test_beat_sends_reads_one_line_formats_that_start_with_the_time():
    log = (
        "2026-12-01 20:13:00,071 INFO celery.beat [-] Scheduler: Sending due task publish-due-posts "
        "(blog.tasks.publish_due_posts)\n"
        "2026-12-01T12:14:00.004Z INFO celery.beat Scheduler: Sending due task poll-due-sources (x)\n"
    )
    sends = beat_sends(log)
    assert sends[0] == (datetime(2026, 12, 1, 20, 13, 0), "publish-due-posts")
    # A stamp in UTC is compared in local time, as the run's own clock is.
    utc = datetime(2026, 12, 1, 12, 14, 0, tzinfo=UTC).astimezone().replace(tzinfo=None)
    assert sends[1] == (utc, "poll-due-sources")


def test_two_beats_without_a_lock_show_as_two_runs_per_period():
    start, end = datetime(2026, 12, 1, 20, 4, 26), datetime(2026, 12, 1, 20, 7, 30)
    one_beat = beat_sends(BEAT_LOG)
    counts = runs_per_period(one_beat + one_beat, {"poll-due-sources": 60}, start, end)
    # 20:05, 20:06 and 20:07 are whole periods inside the run; 20:07 had no send at all.
    assert counts["poll-due-sources"] == {
        datetime(2026, 12, 1, 20, 5): 2,
        datetime(2026, 12, 1, 20, 6): 2,
        datetime(2026, 12, 1, 20, 7): 0,
    }
    assert period_summary(counts) == (3, 0, 2, 1)
    assert period_summary(counts, after=datetime(2026, 12, 1, 20, 5, 30)) == (2, 0, 1, 1)


def test_periods_at_the_edges_of_the_run_are_not_judged():
    # Started a second before a boundary, ended two seconds after one: neither is a whole period.
    start, end = datetime(2026, 12, 1, 20, 4, 59), datetime(2026, 12, 1, 20, 6, 2)
    counts = runs_per_period(beat_sends(BEAT_LOG), {"poll-due-sources": 60, "no-period": None}, start, end)
    assert counts == {"poll-due-sources": {}}
    assert period_summary(counts) == (0, 0, 0, 0)


def test_a_five_minute_entry_is_bucketed_by_five_minutes():
    sends = [(datetime(2026, 12, 1, 20, 5, 0), "fill"), (datetime(2026, 12, 1, 20, 5, 1), "fill")]
    counts = runs_per_period(
        sends, {"fill": 300}, datetime(2026, 12, 1, 20, 0, 30), datetime(2026, 12, 1, 20, 9)
    )
    assert counts == {"fill": {datetime(2026, 12, 1, 20, 5): 2}}


NGINX_LOG = """\
1000.100 200 127.0.0.1:8001 MISS /
1000.200 200 127.0.0.1:8002 MISS /posts/a/
1000.300 200 - HIT /posts/a/
1000.400 502 127.0.0.1:8001, 127.0.0.1:8002 MISS /tags/x/
1000.500 404 127.0.0.1:8002 - /posts/gone/
0999.000 200 127.0.0.1:8001 MISS /before-the-load/
not a log line
"""


def test_nginx_log_counts_upstreams_cache_answers_and_failures_from_the_start_of_the_load():
    summary = parse_nginx_log(NGINX_LOG, since=1000.0)
    assert summary["requests"] == 5
    assert summary["upstreams"] == {"127.0.0.1:8001": 2, "127.0.0.1:8002": 3}
    assert summary["cache"] == {"MISS": 3, "HIT": 1, "-": 1}
    assert summary["failures"] == {"502 /tags/x/": 1, "404 /posts/gone/": 1}
    assert summary["statuses"]["200"] == 3
    assert summary["cache_by_kind"]["feed"] == {}
    feeds = parse_nginx_log("1.0 200 - HIT /feeds/latest.atom\n1.1 200 a:1 MISS /tags/x/feed.rss?p=2\n")
    assert feeds["cache_by_kind"]["feed"] == {"HIT": 1, "MISS": 1}
    assert feeds["cache_by_kind"]["page"] == {}


def test_report_table_marks_checks_and_escapes_pipes():
    table = render_table(
        [Check("errors", "0", "0", True), Check("req/s", "10", note="a | b"), Check("lag", "9", "0", False)]
    )
    lines = table.splitlines()
    assert lines[2] == "| errors | 0 | 0 | pass |  |"
    assert lines[3] == "| req/s | 10 |  | info | a \\| b |"
    assert lines[4].endswith("| FAIL |  |")


def test_docs_section_is_appended_once_then_replaced_in_place():
    document = "# Benchmarks\n\n| a | b |\n"
    first = replace_section(document, "## cluster-check\n\nold run\n")
    assert first == "# Benchmarks\n\n| a | b |\n\n## cluster-check\n\nold run\n"
    second = replace_section(first + "\n## later section\n\nkept\n", "## cluster-check\n\nnew run\n")
    assert "old run" not in second
    assert second.count("## cluster-check") == 1
    assert second.endswith("## cluster-check\n\nnew run\n\n## later section\n\nkept\n")


def test_the_kill_waits_for_a_whole_period_with_both_beats_but_stays_mid_run():
    beats = 1_000_000_000  # 40 s past a minute: the first whole period begins 20 s later
    # Load from 5 s after the beats: that period begins 15 s into it, and is logged by 23 s.
    assert kill_offset(load_started=beats + 5, beats_started=beats, seconds=60) == 23
    # Earlier than 30% of the load, or later than 85%, is moved to those bounds.
    assert kill_offset(load_started=beats + 19, beats_started=beats, seconds=100) == 30
    assert kill_offset(load_started=beats - 100, beats_started=beats, seconds=15) == 0.85 * 15
