"""What people see in a real browser: math on the timeline and post page, the editor's preview,
search, bookmarks, and the mobile and dark layouts.

One file on purpose: `make test` distributes by file (`--dist loadfile`), so these share one
Chromium and run one after another in one test process.
"""

import importlib
import re

import pytest
from django.apps import apps
from django.core import mail

from authoring.roles import EDITOR, grant_role
from blog.models import Post
from search.models import SearchDocument
from tests.factories import make_post, make_user

from .conftest import save_screenshot, skip_module_without_chromium, wait_for

skip_module_without_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = """缩放点积注意力把分数除以 $\\sqrt{d_k}$，以免梯度消失。下面推导归一化的细节。

$$\\mathrm{softmax}(x)_i = \\frac{e^{x_i}}{\\sum_j e^{x_j}}$$

```python
scores = q @ k.T / math.sqrt(d)
```

| 维度 | 缩放因子 |
| --- | --- |
| 64 | 8 |
"""
# A word of the body only (not the title), as a reader would remember it.
BODY_WORD = "梯度"
PASSWORD = "ink-Stone-2024-reader!"


def published_post_with_excerpt(**fields):
    """A published post whose excerpt the Celery worker has written (with its inline MathML)."""
    post = make_post(fields.pop("title", "注意力的缩放"), body=fields.pop("body", BODY), **fields)
    wait_for(
        lambda: Post.objects.filter(pk=post.pk, excerpt__contains="<math").exists(),
        message="The worker did not write the post's excerpt in time.",
    )
    return post


def assert_rendered(locator):
    """The element exists and takes up room on the page (MathML the browser laid out)."""
    locator.first.wait_for(state="visible")
    box = locator.first.bounding_box()
    assert box is not None and box["width"] > 0 and box["height"] > 0, box


def relative_luminance(css_color):
    """WCAG relative luminance of an `rgb(…)`/`rgba(…)` colour from getComputedStyle."""
    channels = [float(part) for part in css_color[css_color.index("(") + 1 : -1].split(",")[:3]]

    def linear(channel):
        channel /= 255
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in channels)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


@pytest.mark.usefixtures("celery_worker")
def test_timeline_shows_the_excerpt_with_inline_math(page_and_problems):
    page, problems = page_and_problems
    post = published_post_with_excerpt()

    page.goto("/")
    item = page.locator("article.post-item", has_text=post.title)
    assert item.locator(".post-item-title a").get_attribute("href") == post.get_absolute_url()
    assert_rendered(item.locator(".post-excerpt math"))
    assert "缩放点积注意力" in item.locator(".post-excerpt").inner_text()
    save_screenshot(page, "timeline")
    problems.assert_none()


def test_post_page_renders_formulas_without_javascript(new_page):
    page, problems = new_page(java_script_enabled=False)
    post = make_post("注意力的缩放", body=BODY)

    page.goto(post.get_absolute_url())
    body = page.locator(".post-body")
    assert_rendered(body.locator('math[display="inline"]'))
    assert_rendered(body.locator('.math-display math[display="block"]'))
    assert_rendered(body.locator("table"))
    assert "math.sqrt" in body.locator("pre code").inner_text()
    save_screenshot(page, "post")
    problems.assert_none()


def test_numbered_equation_sits_centred_with_its_number_at_the_margin_and_references_jump_to_it(new_page):
    page, problems = new_page()
    body = (
        "由 \\eqref{eq:loss} 可得。\n\n\\begin{equation}\nL = -\\log p(x) \\label{eq:loss}\n\\end{equation}\n"
    )
    post = make_post("带编号的公式", body=body + "\n" + "正文。\n\n" * 60)

    page.goto(post.get_absolute_url())
    article = page.locator(".post-body").bounding_box()
    formula = page.locator(".math-display.numbered math").bounding_box()
    number = page.locator(".equation-number")
    assert number.inner_text() == "(1)"
    number_box = number.bounding_box()
    assert abs(number_box["x"] + number_box["width"] - (article["x"] + article["width"])) <= 2
    formula_centre = formula["x"] + formula["width"] / 2
    assert abs(formula_centre - (article["x"] + article["width"] / 2)) <= 8
    page.locator("a.equation-ref").click()
    assert page.url.endswith("#eq-1")
    save_screenshot(page, "numbered-equation")
    problems.assert_none()


def test_editor_previews_math_code_and_table_then_publishes(page_and_problems):
    page, problems = page_and_problems
    importlib.import_module("accounts.migrations.0002_author_and_editor_roles").create_roles(apps, None)
    editor = make_user("editor", email="editor@example.com")
    grant_role(editor, EDITOR)

    page.goto("/admin/login/?next=/admin/blog/post/add/")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", "pw-for-tests-1")
    page.click("#login-form [type=submit]")
    page.wait_for_url("**/admin/blog/post/add/")

    page.fill("#id_title", "编辑器里的注意力公式")
    page.fill("#id_body", BODY)
    preview = page.locator(".markdownx-preview")
    assert_rendered(preview.locator("math").first)
    assert_rendered(preview.locator('.math-display math[display="block"]'))
    assert_rendered(preview.locator("table"))
    assert "math.sqrt" in preview.locator("pre code").inner_text()
    save_screenshot(page, "admin-preview")

    page.select_option("#id_status", "published")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/blog/post/")
    post = Post.objects.get(title="编辑器里的注意力公式")
    assert post.status == Post.Status.PUBLISHED and post.author == editor

    page.goto(post.get_absolute_url())
    assert_rendered(page.locator('.post-body .math-display math[display="block"]'))
    problems.assert_none()


@pytest.mark.usefixtures("celery_worker")
def test_search_box_finds_a_post_by_a_chinese_word_of_its_body(page_and_problems):
    page, problems = page_and_problems
    post = make_post("注意力的缩放", body=BODY)
    other = make_post("无关的文章", body="这篇只谈数据库索引。")
    wait_for(
        lambda: SearchDocument.objects.filter(post__in=[post, other]).count() == 2,
        message="The worker did not index the posts in time.",
    )

    page.goto("/")
    page.fill("#search-box-q", BODY_WORD)
    page.press("#search-box-q", "Enter")
    page.wait_for_url("**/search/?q=*")
    hits = page.locator("article.search-hit")
    hits.first.wait_for()
    assert hits.count() == 1
    assert hits.locator(".post-item-title a").get_attribute("href") == post.get_absolute_url()
    problems.assert_none()


@pytest.mark.usefixtures("celery_worker")
def test_live_search_suggests_posts_while_typing_and_the_keyboard_opens_one(page_and_problems):
    page, problems = page_and_problems
    post = make_post("注意力的缩放", body=BODY)
    make_post("无关的文章", body="这篇只谈数据库索引。")
    wait_for(
        lambda: SearchDocument.objects.count() == 2, message="The worker did not index the posts in time."
    )

    page.goto("/archive/")
    box = page.locator("#search-box-q")
    box.press_sequentially(BODY_WORD, delay=50)
    suggestions = page.locator("#live-search-results [role=option]")
    suggestions.first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert suggestions.count() == 2  # the one match, then "all results"
    assert suggestions.first.locator(".live-search-title").inner_text() == "注意力的缩放"
    snippet = suggestions.first.locator(".live-search-snippet")
    assert snippet.locator("mark").first.inner_text() == BODY_WORD
    # The formula beside the word is shown as math, not as its TeX or a gap.
    assert snippet.locator("math").count() >= 1
    assert (
        snippet.locator("math").first.evaluate("node => node.namespaceURI")
        == "http://www.w3.org/1998/Math/MathML"
    )
    assert "\\sqrt" not in snippet.inner_text() and "除以 " in snippet.inner_text()
    save_screenshot(page, "live-search")

    box.press("Escape")
    assert page.locator("#live-search-results").is_hidden()
    box.fill("")
    box.press_sequentially("区块链", delay=50)  # nothing matches: the box offers the search page anyway
    page.locator(".live-search-all[data-href$='/search/?q=%E5%8C%BA%E5%9D%97%E9%93%BE']").wait_for()
    assert suggestions.count() == 1
    box.fill("")
    box.press_sequentially(BODY_WORD, delay=50)
    suggestions.first.locator(".live-search-title").wait_for()
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == "live-search-option-0"
    box.press("Enter")
    page.wait_for_url(f"**{post.get_absolute_url()}")

    page.locator("#search-box-q").press_sequentially(BODY_WORD, delay=50)
    page.locator("#live-search-results .live-search-all").click()  # the mouse works too
    page.wait_for_url("**/search/?q=*")
    assert page.locator("article.search-hit").count() == 1
    problems.assert_none()


def test_reader_signs_up_bookmarks_a_post_and_finds_it_on_their_list(page_and_problems):
    page, problems = page_and_problems
    post = make_post("注意力的缩放", body=BODY)
    make_post("没有收藏的文章")

    page.goto("/accounts/sign-up/")
    page.fill("#id_email", "reader@example.com")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("form.account-form button[type=submit]")
    page.wait_for_url("**/accounts/sign-up/sent/")
    # The mailed link, then the password once more (accounts.sign_ups).
    link = re.search(r"https?://[^/\s]+(/accounts/sign-up/finish/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(link)
    page.fill("#id_password", PASSWORD)
    page.click("form.account-form button[type=submit]")
    page.wait_for_url("**/accounts/me/")

    page.goto(post.get_absolute_url())
    page.click('.post-actions .bookmark-form button[aria-pressed="false"]')
    page.locator('.post-actions .bookmark-form button[aria-pressed="true"]').wait_for()

    page.goto("/accounts/me/bookmarks/")
    titles = page.locator("article.post-item .post-item-title a")
    assert titles.all_inner_texts() == [post.title]
    problems.assert_none()


def test_mobile_width_has_no_horizontal_scrolling_and_dark_scheme_applies(new_page):
    long_title = "Scaled-dot-product-attention-with-numerically-stable-softmax-normalisation 注意力"
    post = make_post(
        long_title, body=BODY + "\n参见 https://example.com/a/very/long/path/that/does/not/break/easily\n"
    )
    dark_page, problems = new_page(viewport={"width": 390, "height": 844}, color_scheme="dark")
    light_page, _light_problems = new_page(viewport={"width": 390, "height": 844}, color_scheme="light")

    for path in ("/", post.get_absolute_url()):
        dark_page.goto(path)
        scroll_width = dark_page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= 390, f"{path} scrolls sideways at 390 px: {scroll_width} px wide"
    dark_page.goto("/")
    save_screenshot(dark_page, "timeline-mobile-dark")

    background = "getComputedStyle(document.body).backgroundColor"
    light_page.goto("/")
    assert relative_luminance(dark_page.evaluate(background)) < 0.05
    assert relative_luminance(light_page.evaluate(background)) > 0.8  # so the check above means something
    problems.assert_none()
