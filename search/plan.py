"""How much a search reads: page sizes, ranking pools, the sample thresholds and ranking weights.

One frozen object instead of module globals, so that a test (or the bench) builds a small
plan and passes it in, and the values derived from others follow whatever it changes: a plan
built with `recent_pool=2` gets the recency cutoff of a pool of two. A value given explicitly
wins over its derivation.
"""

from dataclasses import dataclass

from django.conf import settings

from .models import SAMPLE_RATE, SPARSE_SAMPLE_RATE


@dataclass(frozen=True)
class SearchPlan:
    """The thresholds a search runs with; the `None` fields are derived from the others."""

    per_page: int = 10
    # Readers may page through the best 200 results; the ranking pools below are sized for that.
    # (At 40 pages a larger pool to rank put the bench's p95 at ~50 ms instead of ~41.)
    max_page: int = 20
    facet_size: int = 12
    # Up to this many matches every one is ranked; beyond it, a pool of likely winners is
    # (see sql.summary): recent heading matches, and recent matches enough for every page a
    # reader can reach.
    rank_all_limit: int = 400
    heading_pool: int = 150
    recent_pool: int | None = None  # max_page * per_page
    # With this many matches in the sample (about SAMPLE_RATE times as many in all, 4,000 of
    # the bench's 100,000 posts), the total and the facet counts are estimated from the
    # sample: the total's standard error is then under 5%, that of a facet of 800 posts or
    # more under 10%, and the page says "about". Below it every match is counted, at ~2.5 µs
    # a match.
    sample_min: int = 500
    # The same from the sparse sample, which then stands for 16,000 matches or more: the
    # largest sets are counted from a quarter as many rows, as precisely.
    sparse_sample_min: int | None = None  # sample_min
    # The most recent `recent_pool` matches of an estimated result set are found after the
    # date of this sample match, which leaves about twice as many matches to choose from as
    # needed.
    recent_cutoff: int | None = None  # 2 * recent_pool // SAMPLE_RATE
    # The most recent heading matches of an estimated set are looked for after the date of
    # this sample match first: a window of about 6,400 matches, where ~3% of them with a
    # matching title or tag already fill the heading pool. Where they do not, all heading
    # matches are read.
    heading_cutoff: int | None = None  # 8 * recent_cutoff
    # The window pays only when it is a small part of the matches: a quarter or less.
    heading_window_min_total: int | None = None  # 4 * heading_cutoff * SAMPLE_RATE
    # The sample rates are those of the partial indexes (search.models); not for tuning.
    sample_rate: int = SAMPLE_RATE
    sparse_sample_rate: int = SPARSE_SAMPLE_RATE
    # ts_rank_cd weights in Postgres order {D, C, B, A}: code identifiers, body, tags/series, title.
    rank_weights: tuple = (0.05, 0.2, 0.4, 1.0)
    # 1: divide by 1 + log(document length), so long posts do not win by length alone.
    rank_normalization: int = 1
    # A post published today scores up to 25% higher than an old one; the bonus halves at 180 days.
    recency_boost: float = 0.25
    recency_half_life_days: float = 180
    # What the body's own cover density (bounded below one) multiplies the score by, at most
    # 1 + body_boost: the post that discusses a subject beats the note that names it in its
    # title and never again. And what a document whose words stand as the query has them (in
    # order, at the distances typed) gains.
    body_boost: float = 3.0
    phrase_boost: float = 0.5

    def __post_init__(self):
        derive = [
            ("recent_pool", lambda: self.max_page * self.per_page),
            ("sparse_sample_min", lambda: self.sample_min),
            ("recent_cutoff", lambda: max(1, 2 * self.recent_pool // self.sample_rate)),
            ("heading_cutoff", lambda: 8 * self.recent_cutoff),
            ("heading_window_min_total", lambda: 4 * self.heading_cutoff * self.sample_rate),
        ]
        for name, value in derive:
            if getattr(self, name) is None:
                object.__setattr__(self, name, value())

    @property
    def sparse_recent_cutoff(self):
        """The recency cutoff's place in the sparse sample, which holds fewer matches."""
        return max(1, self.recent_cutoff * self.sample_rate // self.sparse_sample_rate)

    @property
    def sparse_heading_cutoff(self):
        """The heading window's cutoff's place in the sparse sample."""
        return max(1, self.heading_cutoff * self.sample_rate // self.sparse_sample_rate)


DEFAULT_PLAN = SearchPlan()


def current_plan():
    """Return the plan searches run with: settings.SEARCH_PLAN (a SearchPlan) if set, else the default.

    The setting exists for tests and benchmarks that exercise, over a few dozen posts, the
    paths a search takes over a hundred thousand; production has no reason to set it.
    """
    return getattr(settings, "SEARCH_PLAN", None) or DEFAULT_PLAN
