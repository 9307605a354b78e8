"""axe-core on the pages readers use most: no "serious" or "critical" accessibility violation."""

import pytest

from search.models import SearchDocument
from tests.factories import make_post

from .conftest import skip_module_without_chromium, wait_for
from .test_journeys import BODY, BODY_WORD

skip_module_without_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING_IMPACTS = {"serious", "critical"}


def blocking_violations(page, axe_script):
    """Run axe-core on the loaded page; return its serious and critical violations."""
    page.add_script_tag(path=str(axe_script))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [violation for violation in results["violations"] if violation["impact"] in BLOCKING_IMPACTS]


def describe(violations):
    """The violations as lines a person can act on: rule, impact, help, and the offending nodes."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            summary = node.get("failureSummary", "").strip().replace("\n", " ")
            lines.append(f"  {' '.join(node['target'])}: {summary}")
    return "\n".join(lines)


@pytest.mark.usefixtures("celery_worker")
@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_timeline_post_and_search_pages_have_no_serious_violations(new_page, axe_script, color_scheme):
    post = make_post("注意力的缩放", body=BODY, tags=["机器学习"])
    wait_for(
        lambda: SearchDocument.objects.filter(post=post).exists(),
        message="The worker did not index the post in time.",
    )
    # add_script_tag(path=…) inlines axe's source into a <script>, which the site's CSP ('self'
    # scripts only) rightly blocks; the audit context bypasses CSP, the pages are unchanged.
    page, problems = new_page(bypass_csp=True, color_scheme=color_scheme)

    found = {}
    for name, path in [
        ("timeline", "/"),
        ("post", post.get_absolute_url()),
        ("search", f"/search/?q={BODY_WORD}"),
    ]:
        page.goto(path)
        violations = blocking_violations(page, axe_script)
        if violations:
            found[name] = describe(violations)
    assert page.locator("article.search-hit").count() == 1  # the search page audited had a result

    page.goto("/")  # the live search suggestions, open, with one highlighted
    page.locator("#search-box-q").press_sequentially(BODY_WORD, delay=50)
    page.locator("#live-search-results .live-search-title").first.wait_for()
    page.locator("#search-box-q").press("ArrowDown")
    violations = blocking_violations(page, axe_script)
    if violations:
        found["live search"] = describe(violations)
    assert not found, "\n".join(f"{name} ({color_scheme}):\n{text}" for name, text in found.items())
    problems.assert_none()
