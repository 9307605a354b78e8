"""Filter values that cannot name anything: the timeline shows no posts, never a 500 or every post."""

import pytest
from bs4 import BeautifulSoup

from blog.timeline_filters import FILTERS
from tests.factories import make_post

pytestmark = pytest.mark.django_db
ENGLISH = {"accept-language": "en"}
LONG = "x" * 10_000


def titles(response):
    return [post.title for post in response.context["posts"]]


@pytest.fixture
def a_post():
    return make_post("Anything", tags=["Python"])


@pytest.mark.parametrize(
    "query",
    [
        {"tag": "<script>"},
        {"tag": "sou suo"},
        {"series": "../etc"},
        {"author": "a b"},
        {"source": "abc"},
        {"source": "0"},
        {"source": "-1"},
        {"source": "9" * 30},
        {"source": "٣"},
        {"year": "0"},
        {"year": "10000"},
        {"year": "²⁰²⁴"},
        {"year": "2024.5"},
        {"language": "python"},
        # A valid filter beside an invalid one does not rescue it.
        {"tag": "python", "year": "abc"},
    ],
)
def test_a_value_that_names_nothing_empties_the_timeline(client, a_post, query):
    response = client.get("/", query, headers=ENGLISH)
    assert response.status_code == 200
    assert titles(response) == []
    assert "No published posts match these filters." in response.text
    assert "<script>" not in response.text


@pytest.mark.parametrize("name", list(FILTERS))
def test_a_ten_thousand_character_value_is_an_empty_state_and_is_not_echoed_whole(client, a_post, name):
    response = client.get("/", {name: LONG}, headers=ENGLISH)
    assert response.status_code == 200
    assert titles(response) == []
    assert "No published posts match these filters." in response.text
    # The chip and the control show the value cut, and their links carry no more of it.
    page = BeautifulSoup(response.text, "html.parser")
    filters = str(page.select_one("div.filter-bar")) + str(page.select_one("form.timeline-filter"))
    assert "x" * 256 in filters and "x" * 257 not in filters


@pytest.mark.parametrize("name", list(FILTERS))
def test_a_value_cut_to_length_still_names_nothing_when_a_link_carries_it(client, a_post, name):
    # 300 characters: too long for any slug or username. The page's links carry it cut to 256,
    # still too long, so following one never widens the list.
    other = "series" if name == "tag" else "tag"
    response = client.get("/", {name: "a" * 300, other: "python"})
    assert titles(response) == []
    assert f'href="?{name}={"a" * 256}"' in response.text  # the chip removing the other filter
    assert titles(client.get("/", {name: "a" * 256})) == []
