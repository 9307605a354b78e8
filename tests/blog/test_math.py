"""Math in posts: which delimiters are math, that Markdown leaves formulas alone, MathML output."""

from __future__ import annotations

import html as html_module
import re

import pytest

from blog.markdown import render_markdown
from blog.math import MAX_TEX_LENGTH, convert_tex, normalize_tex, tex_to_mathml


def annotations(html: str) -> list[str]:
    """The TeX sources kept in the output, unescaped."""
    found = re.findall(r'<annotation encoding="application/x-tex">(.*?)</annotation>', html, re.DOTALL)
    return [html_module.unescape(tex) for tex in found]


def math_elements(html: str) -> list[str]:
    return re.findall(r'<math display="(inline|block)">', html)


# --- delimiters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "display", "tex"),
    [
        ("能量 $E=mc^2$ 守恒", "inline", "E=mc^2"),
        (r"能量 \(E=mc^2\) 守恒", "inline", "E=mc^2"),
        ("$$\nE=mc^2\n$$", "block", "E=mc^2"),
        ("$$E=mc^2$$", "block", "E=mc^2"),
        ("\\[\nE=mc^2\n\\]", "block", "E=mc^2"),
        ("由此 \\[E=mc^2\\] 可得", "block", "E=mc^2"),
        ("公式$E=mc^2$成立", "inline", "E=mc^2"),
    ],
)
def test_each_delimiter_becomes_mathml(markdown, display, tex):
    html = render_markdown(markdown)
    assert math_elements(html) == [display]
    assert annotations(html) == [tex]
    assert "<msup><mi>c</mi><mn>2</mn></msup>" in html


@pytest.mark.parametrize(
    "environment", ["equation", "equation*", "align", "align*", "gather", "gather*", "multline"]
)
def test_amsmath_environments_on_their_own_lines_are_display_math(environment):
    body = r"a &= b \\ c &= d" if environment.startswith("align") else r"a = b \\ c = d"
    if environment.startswith("equation"):
        body = "a = b"
    html = render_markdown(f"\\begin{{{environment}}}\n{body}\n\\end{{{environment}}}")
    assert math_elements(html) == ["block"]
    assert "math-error" not in html
    assert annotations(html) == [f"\\begin{{{environment}}}\n{body}\n\\end{{{environment}}}"]


def test_align_rows_become_table_rows():
    html = render_markdown("\\begin{align*}\nf(x) &= (x+1)^2 \\\\\n&= x^2 + 2x + 1\n\\end{align*}")
    assert html.count("<mtr>") == 2
    assert "equation-number" not in html  # starred: unnumbered


NUMBERED_POST = r"""As \eqref{eq:loss} shows, the gradient (\ref{eq:grad}) vanishes; see also \eqref{eq:typo}.

$$
p(x) = \frac{1}{Z} e^{-E(x)}
$$

\begin{equation}
\mathcal{L} = -\log p(x) \label{eq:loss}
\end{equation}

\begin{align*}
a &= b
\end{align*}

\begin{align}
\nabla \mathcal{L} &= \nabla E(x) \label{eq:grad} \\
  &= 0 \notag
\end{align}

$$
x_{t+1} = x_t - \eta g_t \tag{A.1}
$$

\begin{gather}
y = 1 \nonumber
\end{gather}
"""


def equation_numbers(html):
    return re.findall(r'id="(eq-[^"]+)"[^>]*>.*?<span class="equation-number">([^<]*)</span>', html, re.S)


def test_numbered_environments_count_through_the_post_and_tags_set_their_own():
    html = render_markdown(NUMBERED_POST)
    # $$…$$ and starred or \notag-only environments take no number; \tag does not step the count.
    assert equation_numbers(html) == [("eq-1", "(1)"), ("eq-2", "(2)"), ("eq-a-1", "(A.1)")]
    assert "\\tag" not in html and "math-error" not in html


def test_references_link_to_their_equations_and_unknown_labels_show_question_marks():
    html = render_markdown(NUMBERED_POST)
    assert '<a class="equation-ref" href="#eq-1">(1)</a> shows' in html
    assert '(<a class="equation-ref" href="#eq-2">2</a>) vanishes' in html  # \ref: the bare number
    assert '<span class="equation-ref" title="eq:typo">(??)</span>' in html


def test_a_reference_before_its_equation_and_inside_code_is_handled_like_latex():
    html = render_markdown(
        "Forward: \\eqref{late}. `\\eqref{late}`\n\n\\begin{equation}\nx \\label{late}\n\\end{equation}"
    )
    assert '<a class="equation-ref" href="#eq-1">(1)</a>' in html
    assert "<code>\\eqref{late}</code>" in html


def test_equation_anchors_cannot_be_forged_for_other_ids():
    html = render_markdown('<div id="eq-9">ok</div><div id="main">no</div><span id="login-form">no</span>')
    assert 'id="eq-9"' in html and 'id="main"' not in html and 'id="login-form"' not in html


@pytest.mark.parametrize("environment", ["aligned", "gathered", "cases", "pmatrix", "bmatrix", "split"])
def test_inner_environments_convert_inside_display_math(environment):
    html = render_markdown(f"$$\n\\begin{{{environment}}} a & b \\\\ c & d \\end{{{environment}}}\n$$")
    assert "math-error" not in html
    assert "<mtable" in html


def test_escaped_dollar_stays_a_dollar():
    html = render_markdown(r"价格是 \$5，不是公式。")
    assert "价格是 $5，不是公式。" in html
    assert "<math" not in html


@pytest.mark.parametrize(
    "prose",
    [
        "It costs $5 and $10 here.",
        "From $5 to $10.",
        "Between $5-$10 a month.",
        "A $ sign alone.",
        "Spaces $ x $ are not math.",
        "Shell: echo $HOME and $PATH",
    ],
)
def test_dollars_in_prose_are_not_math(prose):
    html = render_markdown(prose)
    assert "<math" not in html
    assert "$" in html


# --- Markdown keeps out of formulas ---------------------------------------------------------


@pytest.mark.parametrize(
    "tex",
    [
        r"a_1 * b_2 * c_3",
        r"\{x\}",
        r"a_{i}^{*} + b_{j}^{*}",
        r"[a](b)",
        r"<b>x</b>",
        r"\_ \* \#",
        r"x^{2} \quad \text{**not bold**}",
    ],
)
def test_markdown_syntax_inside_inline_math_arrives_intact(tex):
    html = render_markdown(f"前 ${tex}$ 后")
    assert annotations(html) == [tex]
    assert "<em>" not in html
    assert "<strong>" not in html
    assert "<a " not in html


def test_pipes_and_norms_inside_table_cells_stay_in_the_formula():
    html = render_markdown(
        "| 量 | 公式 |\n|---|---|\n| 绝对值 | $|x|$ |\n| 范数 | $\\|x\\|_2$ |\n| 普通 | a \\| b |"
    )
    assert annotations(html) == ["|x|", r"\|x\|_2"]
    assert html.count("<tr>") == 4
    assert html.count("<td>") == 6  # no row was split into extra cells
    assert "<td>a | b</td>" in html


def test_double_backslash_in_align_reaches_the_converter():
    source = "$$\n\\begin{aligned}\na &= b \\\\\nc &= d\n\\end{aligned}\n$$"
    html = render_markdown(source)
    assert annotations(html) == ["\\begin{aligned}\na &= b \\\\\nc &= d\n\\end{aligned}"]
    assert html.count("<mtr>") == 2


def test_math_inside_code_is_code():
    html = render_markdown("`$x$` and\n\n```\n$$y$$\n```")
    assert "<math" not in html
    assert "<code>$x$</code>" in html


def test_escaped_brackets_in_prose_are_not_math():
    html = render_markdown(r"\[not math\] is fine when escaped? \[\\\] and \(\)")
    assert "<math" in html  # "\[not math\]" is display math by design …
    assert "[\\]" in html  # … but a pair around only "\\" or nothing stays text
    assert "()" in html


# --- MathML output --------------------------------------------------------------------------


def test_mathml_keeps_tex_source_in_semantics():
    mathml = tex_to_mathml(r"\frac{a}{b}", display=False)
    assert mathml.startswith('<math display="inline"><semantics>')
    assert mathml.endswith(
        r'<annotation encoding="application/x-tex">\frac{a}{b}</annotation></semantics></math>'
    )
    assert "<mfrac>" in mathml


def test_display_math_is_block():
    assert tex_to_mathml("x", display=True).startswith('<math display="block">')


def test_text_in_formulas_is_escaped_not_markup():
    mathml = convert_tex(r"\text{a<b & c>d}", display=False)
    assert "<b " not in mathml and "<b>" not in mathml
    assert "a&lt;b" in mathml
    assert "&amp;" in mathml


def test_common_paper_macros_convert():
    for tex in [
        r"\operatorname*{arg\,max}_\theta \mathbb{E}_{x \sim p}[\log p_\theta(x)]",
        r"D_{\mathrm{KL}}(q \,\|\, p)",
        r"\boldsymbol{\mu} + \bm{\sigma} \odot \epsilon",
        r"\Tr(A^\top B) + \diag(v) + \rank(W)",
        r"\underbrace{a+b}_{n} \overset{!}{=} \tfrac12 \dfrac{1}{2}",
        r"\biggl\{ x \biggr\} \Bigl\langle u, v \Bigr\rangle",
        r"\left\| x \right\|_2 \quad \! \, \mathcal{L}",
        r"\E[X] = \mu",
    ]:
        convert_tex(tex, display=True)  # raises TexConversionError on failure


def test_macro_defined_in_the_formula_wins_over_the_predeclared_one():
    mathml = convert_tex(r"\DeclareMathOperator{\Var}{Variance} \Var(x)", display=False)
    assert "Variance" in mathml
    mathml = convert_tex(r"\newcommand{\E}{\mathcal{E}} \E", display=False)
    # script E (U+2130, as a character or a reference), not the predeclared blackboard E
    assert "\u2130" in mathml or "&#x02130;" in mathml
    assert "\U0001d53c" not in mathml and "&#x1D53C;" not in mathml
    predeclared = convert_tex(r"\E", display=False)
    assert "<mi>\U0001d53c</mi>" in predeclared or "<mi>&#x1D53C;</mi>" in predeclared


def test_upright_single_letters_are_upright():
    assert '<mi mathvariant="normal">d</mi>' in convert_tex(r"\mathrm{d}x", display=False)


def test_normalize_rewrites_environments_latex2mathml_lacks():
    assert normalize_tex(r"\begin{aligned}a&=b\end{aligned}") == r"\begin{align*}a&=b\end{align*}"
    assert normalize_tex(r"\begin{gather*}a\\b\end{gather*}") == r"\displaylines{a\\b}"
    assert normalize_tex(r"\begin{alignat}{2}a&=b\end{alignat}") == r"\begin{align*}a&=b\end{align*}"
    assert "label" not in normalize_tex(r"\begin{equation}x\label{eq:x}\end{equation}")


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tex", "hint"),
    [
        (r"\foo{x}", r"Unknown command \foo"),
        (r"\left( x", r"\left"),
        (r"x^", "^ or _"),
        (r"x_1_2", "Double subscript"),
        (r"\begin{matrix} a", "end"),
    ],
)
def test_a_broken_formula_shows_its_source_in_an_error_box(tex, hint):
    html = render_markdown(f"前文 ${tex}$ 后文\n\n下一段照常。")
    box = re.search(r'<span class="math-error" title="([^"]*)">([^<]*)</span>', html)
    assert box is not None, html
    assert hint in html_module.unescape(box.group(1))
    assert html_module.unescape(box.group(2)) == f"${tex}$"
    assert "<p>下一段照常。</p>" in html


def test_error_box_escapes_the_source():
    html = render_markdown(r"$$\foo <img src=x onerror=alert(1)>$$")
    assert "math-error" in html
    assert "<img" not in html
    assert "&lt;img" in html


@pytest.mark.parametrize(
    "tex",
    ["", "{", "}", "\\", "^^", "&&&", r"\frac", r"\sqrt[", r"\begin{align}", r"\end{cases}", "{" * 3000,
     r"\left\{" * 50, "\x00", r"\\\\\\", r"\def\a{\a}\a", r"\newcommand{\x}{\x}\x"],
)  # fmt: skip
def test_tex_to_mathml_never_raises(tex):
    output = tex_to_mathml(tex, display=True)
    assert output.startswith(('<math display="block">', '<span class="math-error"'))


def test_overlong_formula_is_refused_with_a_reason():
    output = tex_to_mathml("x+" * MAX_TEX_LENGTH, display=False)
    assert output.startswith('<span class="math-error"')
    assert "split it" in output


def test_one_bad_formula_leaves_the_others_rendered():
    html = render_markdown("$a$ $\\foo$ $b$\n\n$$\n\\left(\n$$\n\n$$c$$")
    assert len(math_elements(html)) == 3
    assert html.count("math-error") == 2
