"""A tag a technical post mentions ("Put CSS in a <style> element.") shows as text and loses nothing."""

import pytest

from blog.document import Heading, Prose, Table
from blog.ingest.poll import poll_source
from blog.markdown import render_document, render_markdown
from blog.models import Post, Source
from tests.blog.feed_samples import atom

# The raw-text elements and those the sanitizer removes with their content: each would swallow
# the rest of the post if it reached a browser or the sanitizer as a tag.
SWALLOWING_TAGS = [
    "style", "title", "textarea", "iframe", "noscript", "xmp", "script", "plaintext",
    "noembed", "noframes", "template", "object", "embed", "select", "svg",
]  # fmt: skip
TRAILER = "\n\n## Next heading\n\nSecond paragraph with **bold** text."


def visible_text(document):
    return " ".join(
        " ".join(piece.text for piece in block.inlines)
        for block in document.blocks
        if isinstance(block, Heading | Prose)
    )


def assert_nothing_after_is_lost(document):
    headings = [block.text for block in document.blocks if isinstance(block, Heading)]
    assert headings == ["Next heading"], document.html
    assert "Second paragraph with bold text." in visible_text(document)
    assert "<strong>bold</strong>" in document.html


@pytest.mark.parametrize("tag", SWALLOWING_TAGS)
def test_a_tag_in_prose_shows_as_text_and_the_rest_of_the_post_survives(tag):
    document = render_document(f"Put CSS in a <{tag}> element, then close it: </{tag}>.{TRAILER}")
    assert f"Put CSS in a <{tag}> element, then close it: </{tag}>." in visible_text(document)
    assert f"&lt;{tag}&gt;" in document.html
    assert_nothing_after_is_lost(document)


@pytest.mark.parametrize("tag", SWALLOWING_TAGS)
def test_a_tag_opening_a_line_is_not_an_html_block_that_runs_to_the_end(tag):
    document = render_document(f"<{tag}>{TRAILER}")
    assert f"<{tag}>" in visible_text(document)
    assert_nothing_after_is_lost(document)


@pytest.mark.parametrize("tag", ["style", "script", "TEXTAREA", "Title", "iframe", "plaintext"])
def test_a_tag_in_a_list_item_or_a_table_cell_keeps_what_follows(tag):
    listed = render_document(f"- the <{tag}> element\n- second item{TRAILER}")
    items = [block for block in listed.blocks if isinstance(block, Prose)]
    assert [block.inlines[0].text for block in items[:2]] == [f"the <{tag}> element", "second item"]
    assert_nothing_after_is_lost(listed)
    table = render_document(f"| tag | use |\n|---|---|\n| <{tag}> | rare |\n| b | c |{TRAILER}")
    rows = next(block for block in table.blocks if isinstance(block, Table)).rows
    cells = [[cell[0].text for cell in row] for row in rows]
    assert cells == [["tag", "use"], [f"<{tag}>", "rare"], ["b", "c"]]
    assert_nothing_after_is_lost(table)


def test_gfm_tag_filter_example():
    # GFM spec, "Disallowed Raw HTML (extension)": the filtered tags are escaped, others pass.
    quote = "  <xmp> is disallowed.  <XMP> is also disallowed."
    html = render_markdown(f"<strong> <title> <style> <em>\n\n<blockquote>\n{quote}\n</blockquote>")
    assert "<p><strong> &lt;title&gt; &lt;style&gt; <em>" in html
    escaped_quote = "  &lt;xmp&gt; is disallowed.  &lt;XMP&gt; is also disallowed."
    assert f"<blockquote>\n{escaped_quote}\n</blockquote>" in html


def test_html_that_is_allowed_still_renders_as_html():
    details = "<details><summary>More</summary>\n\nHidden <kbd>Ctrl</kbd>.\n\n</details>"
    html = render_markdown(f"{details}\n\n<pre>x</pre>")
    assert "<details><summary>More</summary>" in html and "<kbd>Ctrl</kbd>" in html
    assert "<pre>x</pre>" in html


def test_nothing_dangerous_gets_through_the_filter():
    hostile = ("<script>alert(1)</script>", "x <scr<script>ipt>alert(1)</script>", "<SCRIPT/x>alert(1)")
    for markdown in hostile:
        html = render_markdown(markdown + TRAILER)
        assert "<script" not in html.lower() and "Second paragraph" in html


@pytest.mark.django_db
def test_an_ingested_entry_that_mentions_a_tag_keeps_all_its_text(httpserver, settings):
    settings.INGEST_ALLOW_PRIVATE = True
    entry_html = (
        "<p>Put CSS in a &lt;style&gt; element; never a bare &lt;script&gt; or &lt;textarea&gt;.</p>"
        "<h2>Why</h2><p>Everything after the tag must stay.</p>"
    )
    entry = {"id": "urn:tags", "title": "Tags", "link": "https://notes.example.org/tags", "html": entry_html}
    feed = atom([entry]).encode()
    httpserver.expect_request("/feed.xml").respond_with_data(feed, content_type="application/atom+xml")
    source = Source.objects.create(feed_url=httpserver.url_for("/feed.xml"))
    assert poll_source(source.pk).status == "stored"
    document = Post.objects.get(source_guid="urn:tags").document
    text = visible_text(document)
    assert "Put CSS in a" in text and "element; never a bare" in text
    assert [block.text for block in document.blocks if isinstance(block, Heading)] == ["Why"]
    assert "Everything after the tag must stay." in text
