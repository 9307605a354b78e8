"""Walking big tables in chunks, with a progress bar, for the rebuild commands."""

import time


def in_batches(queryset, size=500):
    """Yield lists of rows of `queryset` in primary-key order, `size` at a time.

    Keyset on the primary key rather than OFFSET, so the millionth row costs what the first
    does, and rows added meanwhile are picked up rather than shifting the pages.
    """
    last_pk = None
    while True:
        batch = queryset.order_by("pk")
        if last_pk is not None:
            batch = batch.filter(pk__gt=last_pk)
        rows = list(batch[:size])
        if not rows:
            return
        yield rows
        last_pk = rows[-1].pk


class ProgressBar:
    """A one-line progress bar with rate and remaining time, redrawn at most 10 times a second."""

    def __init__(self, total, stream, label="", width=30):
        self.total = max(total, 0)
        self.stream = stream
        self.label = label
        self.width = width
        self.done = 0
        self.started = time.monotonic()
        self.drawn_at = 0.0

    def advance(self, count):
        """Count `count` more items as done and redraw."""
        self.done += count
        now = time.monotonic()
        if now - self.drawn_at >= 0.1 or self.done >= self.total:
            self.drawn_at = now
            self.draw(now)

    def draw(self, now):
        fraction = self.done / self.total if self.total else 1.0
        filled = int(self.width * min(fraction, 1.0))
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        remaining = (self.total - self.done) / rate if rate and self.total > self.done else 0
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(
            f"\r{self.label} [{bar}] {self.done}/{self.total} {rate:,.0f}/s, {remaining:,.0f} s left",
            ending="",
        )
        self.stream.flush()

    def finish(self):
        """Draw the final state and end the line."""
        self.draw(time.monotonic())
        self.stream.write("")
