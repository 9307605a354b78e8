"""What readers of issue 21 saw in Chromium: the logged-in header at 1280 and 390 px, the search
page's one search box, the cue on formulas and code that scroll sideways at 390 px, the timeline's
filter control, and the post page's hint that logging in lets you bookmark and follow.

Screenshots of each land in var/screenshots/ (reader-*.png) for people to look at.
"""

import io

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image

from blog.models import Post
from tests.factories import make_post, make_series, make_user

from .conftest import SCREENSHOTS, save_screenshot, skip_module_without_chromium

skip_module_without_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
PASSWORD = "pw-for-tests-1"  # what tests.factories.make_user gives everyone
WIDE_FORMULA = "$$" + " + ".join(f"\\alpha_{{{i}}} x_{{{i}}}^{{2}}" for i in range(1, 40)) + "$$"
LONG_CODE_LINE = "scores = " + " + ".join(f"weights[{i}] * features[{i}]" for i in range(30))
WIDE_BODY = f"开头的一段话。\n\n{WIDE_FORMULA}\n\n```python\n{LONG_CODE_LINE}\n```\n\n```python\nx = 1\n```\n"

# Every link and button of the header, and how many lines its text takes.
HEADER_LINES_JS = """() => Array.from(document.querySelectorAll('.site-header a, .site-header button'))
  .filter((element) => element.getClientRects().length > 0)
  .map((element) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    const tops = new Set(Array.from(range.getClientRects()).map((rect) => Math.round(rect.top)));
    return [element.textContent.trim(), tops.size];
  })"""


# The Chinese UI, whose two-character links are the ones that broke ("最/新"), and the English
# one, whose links are longer: a link of each that shows the logged-in header is there.
LOCALES = {"zh-CN": ("最新", "退出登录"), "en-US": ("Latest", "Log out")}


def logged_in_page(new_page, live_server, user, viewport, locale):
    """A page whose browser carries `user`'s session cookie (logged in as by the login form)."""
    client = Client()
    client.force_login(user)
    page, problems = new_page(viewport=viewport, locale=locale)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return page, problems


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("width", WIDTHS)
def test_logged_in_header_keeps_every_link_on_one_line_on_every_page(new_page, live_server, width, locale):
    editor = make_user("editor", first_name="编辑", is_staff=True)
    series = make_series("检索系列", slug="jian-suo")
    post = make_post("倒排索引入门", author=editor, tags=["搜索"], series=series)
    page, problems = logged_in_page(new_page, live_server, editor, WIDTHS[width], locale)
    paths = [
        "/",
        post.get_absolute_url(),
        "/archive/",
        "/subscribe/",
        "/tags/sou-suo/",
        "/series/jian-suo/",
        "/authors/editor/",
        "/search/?q=索引",
        "/accounts/me/",
    ]
    for path in paths:
        page.goto(path)
        lines = dict(page.evaluate(HEADER_LINES_JS))
        assert all(text in lines for text in LOCALES[locale]), f"{path}: not the logged-in header: {lines}"
        wrapped = {text: count for text, count in lines.items() if count != 1}
        assert not wrapped, f"{path} at {width}: header links broken across lines: {wrapped}"
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= WIDTHS[width]["width"], f"{path} scrolls sideways: {scroll_width} px"
    page.goto("/")
    header_height = page.locator(".site-header").bounding_box()["height"]
    # Whole groups may wrap on a phone, but the header never becomes a column of characters.
    assert header_height < (80 if width == "desktop" else 240), header_height
    save_screenshot(page, f"reader-header-logged-in-{WIDTHS[width]['width']}-{locale}")
    problems.assert_none()


def test_search_page_shows_one_search_box_and_other_pages_keep_the_header_box(page_and_problems):
    page, problems = page_and_problems
    make_post("倒排索引入门")
    page.goto("/search/?q=索引")
    boxes = page.locator('input[type="search"]:visible')
    assert boxes.count() == 1
    assert boxes.first.get_attribute("id") == "search-q"  # the page's own, holding the query
    assert boxes.first.input_value() == "索引"
    save_screenshot(page, "reader-search-one-box")
    page.goto("/")
    assert page.locator('input[type="search"]:visible').count() == 1
    assert page.locator(".site-header #search-box-q").is_visible()
    problems.assert_none()


def edge_shading(locator):
    """Return (left, right) darkness of the element's edges against its middle, text hidden.

    The element's text is made transparent (through the CSSOM, which the CSP allows), so what
    is left of the pixels is the element's background: the cue, if any. Positive numbers mean
    the edge differs from the middle, i.e. a shadow is drawn there.
    """
    locator.evaluate(
        """(element) => {
          element.style.color = 'transparent';
          element.querySelectorAll('*').forEach((child) => { child.style.color = 'transparent'; });
        }"""
    )
    image = Image.open(io.BytesIO(locator.screenshot())).convert("L")
    width, height = image.size
    row = height // 2

    def mean(x_values):
        return sum(image.getpixel((x, row)) for x in x_values) / len(x_values)

    middle = mean(range(width // 2 - 3, width // 2 + 3))
    return abs(middle - mean(range(0, 3))), abs(middle - mean(range(width - 3, width)))


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_at_390_px_a_formula_or_code_that_scrolls_shows_a_cue_at_the_edge_with_more(new_page, color_scheme):
    post = make_post("很宽的公式和代码", body=WIDE_BODY)
    page, problems = new_page(viewport=WIDTHS["phone"], color_scheme=color_scheme)
    page.goto(post.get_absolute_url())
    save_screenshot(page, f"reader-overflow-cue-390-{color_scheme}")
    for name, selector in (("formula", ".post-body .math-display"), ("code", ".post-body .codeblock pre")):
        box = page.locator(selector).first
        box.scroll_into_view_if_needed()
        assert box.evaluate("(element) => element.scrollWidth > element.clientWidth + 50"), selector
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        box.screenshot(path=str(SCREENSHOTS / f"reader-overflow-{name}-{color_scheme}.png"))

        left, right = edge_shading(box)
        assert right > 6 and left < 2, f"{selector} at the start: left {left:.1f}, right {right:.1f}"
        box.evaluate("(element) => { element.scrollLeft = element.scrollWidth; }")
        left, right = edge_shading(box)
        assert left > 6 and right < 2, f"{selector} at the end: left {left:.1f}, right {right:.1f}"
        box.evaluate("(element) => { element.scrollLeft = element.scrollWidth / 3; }")
        left, right = edge_shading(box)
        assert left > 6 and right > 6, f"{selector} in the middle: left {left:.1f}, right {right:.1f}"

    short = page.locator(".post-body .codeblock pre").nth(1)
    assert short.evaluate("(element) => element.scrollWidth <= element.clientWidth")
    left, right = edge_shading(short)
    assert left < 2 and right < 2, f"a block that fits shows a cue: left {left:.1f}, right {right:.1f}"
    problems.assert_none()


@pytest.mark.parametrize("width", WIDTHS)
def test_timeline_filter_control_is_visible_and_filters_by_language_and_tag(new_page, width):
    make_post("中文检索", language=Post.Language.CHINESE, tags=["搜索"])
    make_post("English retrieval", language=Post.Language.ENGLISH, tags=["搜索"])
    make_post("English Python", language=Post.Language.ENGLISH, tags=["Python"])
    page, problems = new_page(viewport=WIDTHS[width])
    page.goto("/")
    control = page.locator("form.timeline-filter")
    assert control.is_visible()
    box = control.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTHS[width]["width"]
    for name in ("language", "tag", "series"):
        assert control.locator(f'select[name="{name}"]').is_visible(), name
    save_screenshot(page, f"reader-timeline-filter-{WIDTHS[width]['width']}")

    control.locator('select[name="language"]').select_option("en")
    control.locator('select[name="tag"]').select_option("sou-suo")
    control.locator('button[type="submit"]').click()
    page.wait_for_url("**/?*")
    assert page.url.endswith("/?language=en&tag=sou-suo")  # the blank series is left out
    assert page.locator("article.post-item .post-item-title a").all_inner_texts() == ["English retrieval"]
    assert page.locator(".filter-bar .filter-chip").count() == 2
    assert page.locator('select[name="language"]').input_value() == "en"
    save_screenshot(page, f"reader-timeline-filtered-{WIDTHS[width]['width']}")
    problems.assert_none()


def test_logged_out_post_page_hints_at_logging_in_and_the_link_returns_to_the_post(new_page):
    page, problems = new_page(locale="zh-CN")
    make_user("reader", email="reader@example.com")
    post = make_post("倒排索引入门")
    page.goto(post.get_absolute_url())
    hint = page.locator(".reader-hint")
    assert hint.is_visible()
    assert "收藏" in hint.inner_text() and "关注" in hint.inner_text()
    save_screenshot(page, "reader-login-hint")
    hint.locator("a").click()
    page.wait_for_url(lambda url: "/accounts/login/?next=" in url)
    page.fill("#id_username", "reader@example.com")
    page.fill("#id_password", PASSWORD)
    page.click("form.account-form button[type=submit]")
    page.wait_for_url(f"**{post.get_absolute_url()}")
    assert page.locator(".post-actions .bookmark-form button").is_visible()
    assert page.locator(".reader-hint").count() == 0
    problems.assert_none()
