"""The post page: rendered body, table of contents, reading time, metadata."""

import pytest

from blog.excerpts import EXCERPT_FIELDS, store_excerpts
from blog.models import Post
from tests.factories import make_post

pytestmark = pytest.mark.django_db


def test_table_of_contents_links_to_every_heading_including_chinese(client):
    body = "## 背景\n\n文字。\n\n### 2.1 MQA 与 GQA：减少头数\n\n文字。\n\n## Results\n\nText."
    post = make_post("TOC", body=body)
    html = client.get(post.get_absolute_url()).text
    toc = html[html.index('class="toc"') : html.index("</nav>", html.index('class="toc"'))]
    for heading in post.headings:
        assert f'id="{heading["id"]}"' in html
    assert [heading["text"] for heading in post.headings] == ["背景", "2.1 MQA 与 GQA：减少头数", "Results"]
    assert toc.count("<li") == 3


def test_post_with_one_heading_has_no_table_of_contents(client):
    post = make_post("Short", body="## Only\n\nText.")
    assert 'class="toc"' not in client.get(post.get_absolute_url()).text


def test_formulas_and_code_are_rendered_on_the_server(client):
    post = make_post("Math", body="行内 $a_1 * b_2$。\n\n$$\\frac{a}{b}$$\n\n```python\nx = 1\n```")
    html = client.get(post.get_absolute_url()).text
    assert '<math display="block">' in html and "<mfrac>" in html
    assert '<annotation encoding="application/x-tex">a_1 * b_2</annotation>' in html
    assert 'class="codeblock"' in html


def test_reading_time_counts_chinese_characters_and_english_words(client):
    chinese = make_post("中文", body="字" * 2000)  # 400 a minute
    english = make_post("English", body="word " * 1000, language=Post.Language.ENGLISH)  # 200 a minute
    assert chinese.reading_minutes == 5
    assert english.reading_minutes == 5
    assert "5 min read" in client.get(chinese.get_absolute_url(), headers={"accept-language": "en"}).text
    in_chinese = client.get(chinese.get_absolute_url(), headers={"accept-language": "zh-hans"})
    assert "阅读约 5 分钟" in in_chinese.text


def test_meta_description_is_the_plain_excerpt(client):
    post = make_post("Desc", body="$$E = mc^2$$\n\n损失 $x^2$ 很小。\n\n```\ncode\n```\n\n完。")
    store_excerpts(Post.objects.filter(pk=post.pk).only(*EXCERPT_FIELDS))
    html = client.get(post.get_absolute_url()).text
    # The display formula and the code block are left out; the short inline formula is its TeX.
    assert '<meta name="description" content="损失 $x^2$ 很小。 完。">' in html


def test_title_with_markup_is_escaped(client):
    post = make_post("<script>alert(1)</script> 标题")
    html = client.get(post.get_absolute_url()).text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 标题" in html
