"""The timeline's filter control (language, tag, series) and the ?language= filter it adds to
the URLs the timeline already took."""

import pytest
from bs4 import BeautifulSoup

from blog.models import Post
from tests.factories import make_post, make_series, make_user

pytestmark = pytest.mark.django_db
ENGLISH = {"accept-language": "en"}


def titles(response):
    return [post.title for post in response.context["posts"]]


def control(response):
    """Return the filter control's form element."""
    form = BeautifulSoup(response.text, "html.parser").select_one("form.timeline-filter")
    assert form is not None, "the timeline has no filter control"
    return form


def options(form, name):
    """Return [(value, text)] of one select of the control, the "All" option first."""
    return [(option["value"], option.text.strip()) for option in form.select(f'select[name="{name}"] option')]


def selected(form, name):
    option = form.select_one(f'select[name="{name}"] option[selected]')
    return option["value"] if option else ""


@pytest.fixture
def two_languages():
    series = make_series("检索系列", slug="jian-suo")
    make_post("中文检索", language=Post.Language.CHINESE, tags=["搜索"], series=series)
    make_post("English retrieval", language=Post.Language.ENGLISH, tags=["搜索"])
    make_post("English Python", language=Post.Language.ENGLISH, tags=["Python"], series=series)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("en", ["English Python", "English retrieval"]),
        ("EN", ["English Python", "English retrieval"]),
        ("zh-hans", ["中文检索"]),
        ("zh", ["中文检索"]),
    ],
)
def test_language_filter_keeps_posts_in_that_language(client, two_languages, value, expected):
    assert titles(client.get("/", {"language": value})) == expected


def test_language_combines_with_tag_and_series_and_shows_a_removable_chip(client, two_languages):
    response = client.get("/", {"language": "en", "tag": "sou-suo"}, headers=ENGLISH)
    assert titles(response) == ["English retrieval"]
    assert "Language: English" in response.text
    assert 'href="?tag=sou-suo"' in response.text  # removing the language keeps the tag
    assert titles(client.get("/", {"language": "en", "series": "jian-suo"})) == ["English Python"]


@pytest.mark.parametrize("value", ["fr", "english", "zh-hant", "<script>", "x" * 500])
def test_an_unknown_language_is_an_empty_state_not_an_error(client, two_languages, value):
    response = client.get("/", {"language": value}, headers=ENGLISH)
    assert response.status_code == 200
    assert titles(response) == []
    assert "No published posts match these filters." in response.text
    assert "<script>" not in response.text  # the value is shown escaped, never as markup


def test_the_control_offers_language_tags_and_series_with_today_s_parameter_names(client, two_languages):
    form = control(client.get("/", headers=ENGLISH))
    assert form["method"] == "get" and form["action"] == "/"
    assert [select["name"] for select in form.select("select")] == ["language", "tag", "series"]
    assert options(form, "language") == [("", "All"), ("zh-hans", "Chinese"), ("en", "English")]
    # Tags: the most used first.
    assert options(form, "tag") == [("", "All"), ("sou-suo", "#搜索"), ("python", "#Python")]
    assert options(form, "series") == [("", "All"), ("jian-suo", "检索系列")]
    assert form.select_one('button[type="submit"]') is not None


def test_the_control_shows_the_active_choices_and_keeps_the_other_filters(client, two_languages):
    alice = make_user("alice")
    make_post("Alice", author=alice, language=Post.Language.ENGLISH, tags=["Python"])
    form = control(client.get("/", {"language": "en", "tag": "python", "author": "alice"}))
    assert selected(form, "language") == "en"
    assert selected(form, "tag") == "python"
    assert selected(form, "series") == ""
    assert [(field["name"], field["value"]) for field in form.select('input[type="hidden"]')] == [
        ("author", "alice")
    ]


@pytest.mark.parametrize(("value", "shown"), [("zh", "zh-hans"), ("ZH-Hans", "zh-hans"), ("EN", "en")])
def test_the_control_selects_a_language_however_the_url_spells_it(client, value, shown):
    form = control(client.get("/", {"language": value}))
    assert selected(form, "language") == shown
    assert len(options(form, "language")) == 3  # all, Chinese, English: no duplicate


def test_the_control_names_nothing_readers_cannot_see(client, two_languages):
    hidden_series = make_series("未发表的系列", slug="wei-fa-biao")
    make_post("草稿", status=Post.Status.DRAFT, tags=["秘密标签"], series=hidden_series)
    html = client.get("/").text
    assert "秘密标签" not in html and "未发表的系列" not in html
    # Asked for by URL, the hidden tag is shown as typed, exactly like a tag that does not exist.
    form = control(client.get("/", {"tag": "mi-mi-biao-qian"}))
    assert options(form, "tag")[-1] == ("mi-mi-biao-qian", "#mi-mi-biao-qian")


def test_a_newly_published_tag_appears_in_the_control(
    client, two_languages, django_capture_on_commit_callbacks
):
    assert "rust" not in dict(options(control(client.get("/")), "tag"))
    with django_capture_on_commit_callbacks(execute=True):
        make_post("Rust 入门", tags=["Rust"])
    assert ("rust", "#Rust") in options(control(client.get("/")), "tag")


def test_an_empty_site_still_shows_the_control(client):
    form = control(client.get("/", headers=ENGLISH))
    assert options(form, "tag") == [("", "All")]
