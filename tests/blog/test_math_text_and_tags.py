"""Text inside formulas and in \\tag numbers: words read as text, math as math, never raw TeX.

In LaTeX the argument of \\text, \\mbox and \\tag is text, where \\it or \\emph{…} set the style
and $…$ is math again. A reader should see "italic" in italics and "(∗)" as an equation
number, not "\\it italic" or "($\\ast$)".
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

import blog.math
from blog.markdown import render_markdown


class _TextCollector(HTMLParser):
    """Collects each ``<mtext>``'s text with its mathvariant, and each ``<mo>``'s text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[tuple[str | None, str]] = []
        self.operators: list[str] = []
        self._open: tuple[str, str | None] | None = None
        self._data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("mtext", "mo"):
            self._open, self._data = (tag, dict(attrs).get("mathvariant")), []

    def handle_endtag(self, tag: str) -> None:
        if self._open is not None and tag == self._open[0]:
            text = "".join(self._data)
            if tag == "mtext":
                self.texts.append((self._open[1], text))
            else:
                self.operators.append(text)
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._data.append(data)


def collect(html: str) -> _TextCollector:
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return collector


def mtext_contents(html: str) -> list[str]:
    return [text for _, text in collect(html).texts]


def equation_numbers(html: str) -> list[tuple[str, str]]:
    """(id, inner HTML of the number) for each numbered display formula."""
    return re.findall(
        r'<div class="math-display numbered" id="([^"]+)">'
        r'.*?<span class="equation-number">(.*?)</span></div>',
        html,
        re.DOTALL,
    )


def equation_references(html: str) -> list[tuple[str, str]]:
    """(href target, inner HTML) for each \\eqref / \\ref link."""
    return re.findall(r'<a class="equation-ref" href="#([^"]+)">(.*?)</a>', html, re.DOTALL)


@pytest.fixture(params=["math-core", "latex2mathml"])
def converter(request, monkeypatch):
    """Run the test once with each converter: math-core first, and latex2mathml when it fails."""
    if request.param == "latex2mathml":
        monkeypatch.setattr(blog.math, "_convert_with_math_core", lambda *arguments: None)
    blog.math.tex_to_mathml.cache_clear()
    blog.math.tex_text_to_html.cache_clear()
    yield request.param
    blog.math.tex_to_mathml.cache_clear()
    blog.math.tex_text_to_html.cache_clear()


# --- \tag ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "markdown",
    [
        "$$a=b \\tag{$\\ast$}$$",
        "\\begin{equation}\na=b \\tag{$\\ast$}\n\\end{equation}",
    ],
)
def test_math_in_a_tag_is_shown_as_math_in_the_equation_number(markdown):
    html = render_markdown(markdown)
    [(anchor, number)] = equation_numbers(html)
    assert number.startswith('(<math display="inline">') and number.endswith("</math>)")
    assert "∗" in collect(number).operators
    assert "$\\ast$" not in html
    assert "math-error" not in html
    assert re.fullmatch(r"eq-[\w-]+", anchor)


def test_an_eqref_to_a_tagged_equation_shows_the_same_number_and_links_to_it():
    html = render_markdown(
        "As \\eqref{star} shows, and \\ref{star} too.\n\n"
        "\\begin{equation}\na=b \\label{star} \\tag{$\\ast$}\n\\end{equation}"
    )
    [(anchor, number)] = equation_numbers(html)
    eqref, ref = equation_references(html)
    assert eqref == (anchor, number)
    assert ref == (anchor, number.removeprefix("(").removesuffix(")"))  # \ref: no parentheses
    assert "∗" in collect(ref[1]).operators
    assert "$\\ast$" not in html


def test_a_starred_tag_is_shown_as_written_with_its_math_and_words():
    html = render_markdown("$$a \\tag*{Eq. $\\dagger$}$$")
    [(_, number)] = equation_numbers(html)
    assert number.startswith("Eq. <math")  # no parentheses, the word as plain text
    assert "†" in collect(number).operators
    assert "$" not in number.split("<annotation")[0]


def test_equation_anchors_stay_valid_and_unique_when_tags_are_only_symbols():
    html = render_markdown(
        "\\eqref{plus}\n\n$$a \\tag{$*$}$$\n\n$$b \\tag{$+$} \\label{plus}$$\n\n"
        "$$c \\tag{1}$$\n\n\\begin{equation}\nd\n\\end{equation}"
    )
    anchors = [anchor for anchor, _ in equation_numbers(html)]
    assert len(anchors) == 4
    assert len(set(anchors)) == 4
    assert all(re.fullmatch(r"eq-[\w-]+", anchor) for anchor in anchors)
    [(target, _)] = equation_references(html)
    assert target == anchors[1]  # the reference finds its own equation, not the first "+"-less one


def test_a_broken_formula_in_a_tag_shows_an_error_box_not_a_number():
    html = render_markdown("$$x \\tag{$\\foo$}$$")
    [(_, number)] = equation_numbers(html)
    assert 'class="math-error"' in number
    assert "Unknown command \\foo" in number


# --- text mode inside formulas --------------------------------------------------------------


@pytest.mark.parametrize(
    ("tex", "words"),
    [
        (r"\text{\it italic}", ["italic"]),
        (r"\text{\textcircled a}", ["ⓐ"]),
        (r"\text{\textcircled{1}}", ["①"]),
        (r"\text{\bf x}", ["x"]),
        (r"\text{\textbf{x}}", ["x"]),
        (r"\text{a \emph{b}}", ["a", "b"]),
        (r"\mbox{\it x}", ["x"]),
        (r"\text{caf\'e \textit{na\"\i ve}}", ["café", "naïve"]),
    ],
)
def test_text_commands_inside_a_formula_never_reach_the_page_as_tex(converter, tex, words):
    html = render_markdown(f"Before ${tex}$ after.")
    texts = mtext_contents(html)
    assert texts, html
    assert not any("\\" in text for text in texts), texts
    shown = "".join(texts)
    assert all(word in shown for word in words), texts
    assert "math-error" not in html


@pytest.mark.parametrize(
    ("tex", "expected"),
    [
        (r"\text{\it italic}", [("italic", "italic")]),
        (r"\text{\bf x}", [("bold", "x")]),
        (r"\text{\textbf{x}}", [("bold", "x")]),
        (r"\text{a \emph{b}}", [(None, "a\u00a0"), ("italic", "b")]),
        (r"\mbox{\it x}", [("italic", "x")]),
        (r"\textbf{\textit{x}}", [("bold-italic", "x")]),
        (r"\text{\bf a \it b}", [("bold", "a\u00a0"), ("italic", "b")]),  # \it resets \bf, as in LaTeX
        (r"\textit{\emph{u}}", [(None, "u")]),  # emphasis inside italics is upright
        (r"\textsf{\bfseries s}\texttt{t}", [("bold-sans-serif", "s"), ("monospace", "t")]),
    ],
)
def test_text_styles_become_mathvariants(converter, tex, expected):
    html = render_markdown(f"${tex}$")
    assert collect(html).texts == expected


def test_math_inside_text_is_math_again(converter):
    html = render_markdown(r"\(x^{\text{if $y>0$}}\)")  # \(…\): a "$" would end the formula
    assert mtext_contents(html) == ["if\u00a0"]
    assert "<mi>y</mi>" in html
    assert ">" in collect(html).operators


@pytest.mark.parametrize("tex", [r"\text{\foo x}", r"\text{\it a \foo}", r"\mbox{x \foo{y}}"])
def test_an_unknown_command_in_text_shows_the_error_box(converter, tex):
    html = render_markdown(f"Before ${tex}$ after.")
    box = re.search(r'<span class="math-error" title="([^"]*)">', html)
    assert box is not None, html
    assert "\\foo" in box.group(1)
    assert "<mtext" not in html
