"""The outline the renderer makes of a post: what each part of the HTML is, read once."""

import json

import pytest

from blog.document import (
    CodeBlock,
    DisplayMath,
    Document,
    Heading,
    Image,
    InlineCode,
    InlineMath,
    Link,
    Prose,
    Table,
    Text,
)
from blog.markdown import render_document
from tests.factories import make_post

SAMPLE = """## 1. 背景 $O(n^2)$

注意力的代价是 $O(n^2)$，见 [论文](https://arxiv.org/abs/1706.03762) 与 `flash_attn`。[^1]

$$
\\mathrm{Attention}(Q,K,V) = \\mathrm{softmax}(QK^\\top)V \\tag{1}
$$

3. 第三步
4. 第四步

```python linenos
import torch
```

| 方法 | 显存 |
|---|---|
| MLA | $d_c$ |

![MLA 的缓存结构](/media/mla.png)

坏公式 $x_1_2$ 在这里。

[^1]: 脚注里的话。
"""


@pytest.fixture(scope="module")
def document():
    return render_document(SAMPLE)


def test_each_kind_of_block_is_recognised_in_order(document):
    kinds = [type(block).__name__ for block in document.blocks if not block.aside]
    assert kinds == [
        "Heading",
        "Prose",
        "DisplayMath",
        "Prose",
        "Prose",
        "CodeBlock",
        "Table",
        "Prose",
        "Prose",
    ]


def test_headings_keep_their_id_and_their_formula_but_not_the_permalink(document):
    heading = document.blocks[0]
    assert isinstance(heading, Heading) and heading.level == 2 and heading.id == "1-背景-o-n-2"
    assert heading.text == "1. 背景 O(n^2)"
    assert isinstance(heading.inlines[-1], InlineMath) and "<math" in heading.inlines[-1].mathml


def test_prose_holds_text_math_links_and_code_and_drops_footnote_markers(document):
    pieces = document.blocks[1].inlines
    assert [type(piece) for piece in pieces] == [Text, InlineMath, Text, Link, Text, InlineCode, Text]
    assert pieces[1].tex == "O(n^2)" and pieces[1].mathml.startswith('<math display="inline">')
    assert pieces[3] == Link("论文", "https://arxiv.org/abs/1706.03762")
    assert pieces[5] == InlineCode("flash_attn")
    assert pieces[-1] == Text("。")  # the footnote reference "[1]" is not text


def test_display_math_keeps_its_tex_and_leaves_its_number_out(document):
    formula = document.blocks[2]
    assert isinstance(formula, DisplayMath) and "\\mathrm{softmax}" in formula.tex
    assert 'display="block"' in formula.mathml and "(1)" not in formula.tex


def test_list_items_carry_their_numbers_from_the_start_attribute(document):
    assert [(block.marker, block.inlines) for block in document.blocks[3:5]] == [
        ("3.", (Text("第三步"),)),
        ("4.", (Text("第四步"),)),
    ]


def test_code_blocks_keep_language_and_text_without_line_numbers(document):
    assert document.blocks[5] == CodeBlock("python", "import torch\n")


def test_tables_are_rows_of_cells(document):
    table = document.blocks[6]
    assert isinstance(table, Table)
    assert table.rows[0] == ((Text("方法"),), (Text("显存"),))
    assert table.rows[1][0] == (Text("MLA"),) and isinstance(table.rows[1][1][0], InlineMath)


def test_images_keep_their_alt_text_and_a_failed_formula_its_source(document):
    assert document.blocks[7].inlines == (Image("MLA 的缓存结构"),)
    broken = [piece for piece in document.blocks[8].inlines if isinstance(piece, InlineMath)]
    assert broken == [InlineMath("x_1_2", "")]


def test_footnotes_are_kept_aside(document):
    assert [block for block in document.blocks if block.aside] == [
        Prose((Text("脚注里的话。"),), marker="1.", aside=True)
    ]


def test_the_stored_outline_round_trips_through_json(document):
    stored = json.loads(json.dumps(document.outline_json(), ensure_ascii=False))
    assert Document.from_stored(document.html, stored) == document


def test_an_outline_of_another_version_is_read_again_from_the_html(document):
    stale = {"version": 0, "blocks": [["p", 0, [["t", "old"]], ""]]}
    assert Document.from_stored(document.html, stale) == document
    assert Document.from_stored(document.html, {}) == document


def test_raw_html_in_a_post_is_outlined_as_the_reader_sees_it():
    document = render_document(
        "<div>原始 <b>HTML</b> 段落</div>\n\n<details><summary>更多</summary>内容</details>"
    )
    assert [block.inlines for block in document.blocks] == [
        (Text("原始 HTML 段落"),),
        (Text("更多"),),
        (Text("内容"),),
    ]


def test_text_that_looks_like_markup_stays_text():
    document = render_document('写 `<math>` 或 &lt;x-outline-part data-math="0"&gt; 都只是文字。')
    assert document.blocks[0].inlines == (
        Text("写 "),
        InlineCode("<math>"),
        Text(' 或 <x-outline-part data-math="0"> 都只是文字。'),
    )


@pytest.mark.django_db
def test_a_saved_post_stores_its_outline_and_table_of_contents():
    post = make_post("大纲", body="## 一\n\n正文 $x$。\n\n### 二\n\n更多。")
    post.refresh_from_db()
    assert post.outline["version"] and post.document.blocks == render_document(post.body).blocks
    assert [(heading["level"], heading["text"]) for heading in post.headings] == [(2, "一"), (3, "二")]
