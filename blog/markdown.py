"""Markdown with TeX math to sanitized HTML: the one renderer for pages, previews and feeds.

The dialect is CommonMark (markdown-it-py) plus GFM tables, strikethrough, task lists
and bare-URL autolinks, footnotes, CJK-friendly emphasis and line breaks, and math:
``$…$`` / ``\\(…\\)`` inline, ``$$…$$`` / ``\\[…\\]`` / ``\\begin{align}`` … display.
Numbered environments are numbered through the post, and ``\\eqref{label}`` links to them.
Math becomes MathML on the server (see :mod:`blog.math`); code is highlighted with
Pygments; everything that leaves this module has been through the nh3 allowlist.
"""

from __future__ import annotations

import contextvars
import functools
import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml, unescapeAll
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.html_block import html_block as _stock_html_block
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_cjk_friendly import cjk_friendly
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.styles import get_style_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

from blog.document import Document, inline_html
from blog.math import tex_text_to_html, tex_to_mathml
from blog.script_ranges import CLOSING_PUNCTUATION, URL_STOPPING

__all__ = [
    "Heading",
    "extract_headings",
    "glued_math_html",
    "render_document",
    "render_markdown",
    "sanitize_html",
    "slugify_heading",
]

# Pygments style for the inline-styled (feed) variant; it is also the light style in
# static/css/markdown.css, so code looks the same in a feed reader and on the page.
FEED_CODE_STYLE = "friendly"


# --- headings ----------------------------------------------------------------------

# Every run of spaces and punctuation, full-width included, becomes one "-": dropping
# it instead (GitHub's way) glues words together, as in "gqa减少头数" for "GQA：减少头数".
_SLUG_SEPARATOR_RE = re.compile(r"[\W_]+")


def slugify_heading(text: str) -> str:
    """Return the id fragment for a heading: lowercase words, CJK kept, joined by "-"."""
    return _SLUG_SEPARATOR_RE.sub("-", text.lower()).strip("-") or "section"


def _heading_text(inline: Token) -> str:
    parts = []
    for child in inline.children or ():
        if child.type in ("text", "code_inline", "math_inline", "math_inline_double"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def _assign_heading_ids(state: StateCore) -> None:
    """Give every heading a slug id, unique in the document (-2, -3 on repeats)."""
    used: set[str] = set()
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        base = slugify_heading(_heading_text(tokens[index + 1]))
        slug, counter = base, 1
        while slug in used:
            counter += 1
            slug = f"{base}-{counter}"
        used.add(slug)
        token.attrSet("id", slug)
        # The closing token renders the permalink, so it needs the id too.
        for closing in tokens[index + 2 :]:
            if closing.type == "heading_close":
                closing.meta["id"] = slug
                break


def _render_heading_close(
    renderer: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[index]
    slug = token.meta.get("id")
    # Feed readers drop stylesheets, where a bare "#" link would just be noise.
    if slug is None or env.get("inline_styles"):
        return f"</{token.tag}>\n"
    return (
        f'<a class="heading-anchor" href="#{escapeHtml(slug)}" aria-hidden="true" '
        f'tabindex="-1">#</a></{token.tag}>\n'
    )


# --- bare URL autolinks ----------------------------------------------------------------

# linkify-it-py was tried first and dropped: it links "然后www.example.com" as the
# host "然后www.example.com", and misses "详见https://example.com" for want of a word
# boundary. Here a URL may start right after a CJK character and ends at the first CJK
# character or full-width punctuation; a URL with a Chinese path can be written as
# <https://…> instead.
_BARE_URL_RE = re.compile(
    r"(?<![A-Za-z0-9@.:/_-])(?:https?://|www\.)(?=[A-Za-z0-9])"
    rf"[^\s<>\"'`{URL_STOPPING}]+"
)
# GFM's rule: these never end an autolink, and a ")" only does if it closes a "(".
_URL_TRAILING_PUNCTUATION = "?!.,:;*_~'\""
_HTML_LINK_OPEN_RE = re.compile(r"<a[>\s]", re.IGNORECASE)
_HTML_LINK_CLOSE_RE = re.compile(r"</a\s*>", re.IGNORECASE)


def _trim_bare_url(url: str) -> str:
    while url:
        last = url[-1]
        if last in _URL_TRAILING_PUNCTUATION or (last == ")" and url.count(")") > url.count("(")):
            url = url[:-1]
        else:
            break
    return url


def _link_tokens(state: StateCore, text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    for match in _BARE_URL_RE.finditer(text):
        url = _trim_bare_url(match.group(0))
        href = url if url.startswith(("http://", "https://")) else "http://" + url
        href = state.md.normalizeLink(href)
        if url.count(".") == 0 or not state.md.validateLink(href):
            continue
        if match.start() > position:
            tokens.append(Token("text", "", 0, content=text[position : match.start()]))
        link_open = Token("link_open", "a", 1, markup="linkify", info="auto")
        link_open.attrSet("href", href)
        tokens.append(link_open)
        tokens.append(Token("text", "", 0, content=state.md.normalizeLinkText(url)))
        tokens.append(Token("link_close", "a", -1, markup="linkify", info="auto"))
        position = match.start() + len(url)
    if tokens and position < len(text):
        tokens.append(Token("text", "", 0, content=text[position:]))
    return tokens


def _autolink_bare_urls(state: StateCore) -> None:
    """Turn bare http(s):// and www. URLs in text into links (outside existing links)."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        content = block.content
        if "http" not in content and "www." not in content:
            continue
        children: list[Token] = []
        link_depth = 0
        for child in block.children:
            if child.type == "link_open":
                link_depth += 1
            elif child.type == "link_close":
                link_depth -= 1
            elif child.type == "html_inline":
                if _HTML_LINK_OPEN_RE.match(child.content):
                    link_depth += 1
                elif _HTML_LINK_CLOSE_RE.match(child.content):
                    link_depth -= 1
            elif child.type == "text" and link_depth == 0:
                replacement = _link_tokens(state, child.content)
                if replacement:
                    children.extend(replacement)
                    continue
            children.append(child)
        block.children = children


# --- math ----------------------------------------------------------------------------


def _bracket_math_inline(state: StateInline, silent: bool) -> bool:
    r"""Parse \(…\) as inline math and \[…\] inside a paragraph as display math."""
    source, start = state.src, state.pos
    if source[start] != "\\" or start + 1 >= state.posMax:
        return False
    opener = source[start + 1]
    if opener == "(":
        closer, token_type = "\\)", "math_inline"
    elif opener == "[":
        closer, token_type = "\\]", "math_inline_double"
    else:
        return False
    end = source.find(closer, start + 2, state.posMax)
    # A pair around nothing but spaces or "\\" stays literal, so escaped brackets in
    # prose ("\[\\\]" is "[\]") are not mistaken for a formula.
    if end < 0 or not source[start + 2 : end].replace("\\\\", "").strip():
        return False
    if not silent:
        token = state.push(token_type, "math", 0)
        token.content = source[start + 2 : end]
        token.markup = "\\" + opener
    state.pos = end + 2
    return True


def _bracket_math_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    r"""Parse a \[ … \] display block whose delimiters start and end lines."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    begin = state.bMarks[start_line] + state.tShift[start_line]
    if not state.src.startswith("\\[", begin):
        return False
    lines = [state.src[begin + 2 : state.eMarks[start_line]]]
    line = start_line
    while not lines[-1].rstrip().endswith("\\]"):
        line += 1
        if line >= end_line:
            return False
        text = state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]
        if not text.strip():  # TeX forbids blank lines in display math, so do we
            return False
        lines.append(text)
    if silent:
        return True
    lines[-1] = lines[-1].rstrip()[:-2]
    token = state.push("math_block", "math", 0)
    token.block = True
    token.content = "\n".join(lines)
    token.markup = "\\["
    token.map = [start_line, line + 1]
    state.line = line + 1
    return True


def glued_math_html(mathml: str, punctuation: str = "") -> str:
    """Return an inline formula's HTML with the closing punctuation that follows it kept on its line.

    A browser may break the line between a formula and the "。" or "；" after it (a formula is
    one box, not text), which would start a line with the punctuation; the span forbids that.
    """
    if not punctuation:
        return mathml
    return f'<span class="math-glue">{mathml}{escapeHtml(punctuation)}</span>'


def _glue_punctuation_to_math(state: StateCore) -> None:
    """Move the closing punctuation right after an inline formula into that formula's token."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children = block.children
        for index, child in enumerate(children[:-1]):
            following = children[index + 1]
            if (
                child.type == "math_inline"
                and following.type == "text"
                and following.content[:1] in CLOSING_PUNCTUATION
                and following.content
            ):
                child.meta["glued"] = following.content[0]
                following.content = following.content[1:]


def _render_inline_math(
    renderer: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[index]
    return glued_math_html(tex_to_mathml(token.content.strip(), display=False), token.meta.get("glued", ""))


def _display_math(token: Token, element: str) -> str:
    """A display formula in `element`, with its equation number at the right when it has one."""
    number = token.meta.get("equation_number")
    if number is None:
        mathml = tex_to_mathml(token.content.strip(), display=True)
        return f'<{element} class="math-display">{mathml}</{element}>'
    mathml = tex_to_mathml(_TAG_RE.sub("", token.content).strip(), display=True)
    return (
        f'<{element} class="math-display numbered" id="{number.id}">{mathml}'
        f'<span class="equation-number">{_equation_label(number, number.parenthesized)}</span></{element}>'
    )


def _render_display_math_in_text(
    renderer: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    # Inside a paragraph a <div> would end the paragraph, so a block-styled span it is.
    return _display_math(tokens[index], "span")


def _render_display_math_block(
    renderer: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    return _display_math(tokens[index], "div") + "\n"


# --- equation numbers ---------------------------------------------------------------
#
# As in LaTeX: each numbered environment (equation, align, gather, multline, eqnarray,
# alignat, flalign; not their starred forms) takes the next number, \tag{…} sets one by
# hand, \notag or \nonumber on every row leaves it out, and \label{key} names it for
# \eqref{key} / \ref{key} in the text, which link to it. Unlike LaTeX, a multi-row
# environment takes one number for the whole block. Numbers count through the post.

_NUMBERED_ENVIRONMENT_RE = re.compile(
    r"^\s*\\begin\{(?:equation|align|gather|multline|eqnarray|alignat|flalign)\}"
)
# The argument may hold groups two deep, as in \tag{$\hat{x}_{1}$}.
_TAG_RE = re.compile(r"\\tag(\*?)\s*\{((?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*)\}")
_LABEL_RE = re.compile(r"\\label\s*\{([^{}]*)\}")
_NO_NUMBER_RE = re.compile(r"\\(?:notag|nonumber)(?![A-Za-z])")
_ROW_BREAK_RE = re.compile(r"\\\\(?!\s*(?:\\end\b|$))")
_DISPLAY_MATH_TYPES = {"math_block", "amsmath", "math_inline_double"}


@dataclass(frozen=True)
class EquationNumber:
    text: str  # "3", or what \tag{…} says: LaTeX text, in which $…$ is math
    id: str  # the equation's anchor, unique in the post
    parenthesized: bool = True  # \tag*{…} is shown as written


def _equation_label(number: EquationNumber, parenthesized: bool) -> str:
    """Return the number as HTML: "(3)", or a \\tag's text with the math in it as MathML."""
    if "$" in number.text or "\\" in number.text:
        label = tex_text_to_html(number.text)  # \tag{$\ast$} is "(∗)", not "($\ast$)"
    else:
        label = escapeHtml(number.text)
    return f"({label})" if parenthesized else label


def _equation_id(text: str, used: set[str]) -> str:
    """Return an anchor for the equation numbered ``text`` that is not in ``used``, and add it."""
    # \tag{$\dagger$} is "eq-dagger"; a tag of symbols alone ($*$) has no word to go by.
    base = "eq-" + (_SLUG_SEPARATOR_RE.sub("-", text.lower()).strip("-") or "tag")
    anchor, counter = base, 1
    while anchor in used:
        counter += 1
        anchor = f"{base}-{counter}"
    used.add(anchor)
    return anchor


def _equation_number(tex: str, counter: list[int], used_ids: set[str]) -> EquationNumber | None:
    tag = _TAG_RE.search(tex)
    if tag:
        text = " ".join(tag.group(2).split())
        return EquationNumber(text, _equation_id(text, used_ids), parenthesized=not tag.group(1))
    if not _NUMBERED_ENVIRONMENT_RE.match(tex):
        return None
    rows = len(_ROW_BREAK_RE.findall(tex)) + 1
    if len(_NO_NUMBER_RE.findall(tex)) >= rows:
        return None
    counter[0] += 1
    return EquationNumber(str(counter[0]), _equation_id(str(counter[0]), used_ids))


def _display_math_tokens(tokens: Sequence[Token]):
    for token in tokens:
        if token.type in _DISPLAY_MATH_TYPES:
            yield token
        elif token.children:
            yield from _display_math_tokens(token.children)


def _number_equations(state: StateCore) -> None:
    """Number the post's display formulas and collect their labels into env["equations"]."""
    counter, labels, used_ids = [0], {}, set()
    for token in _display_math_tokens(state.tokens):
        number = _equation_number(token.content, counter, used_ids)
        if number is None:
            continue
        token.meta["equation_number"] = number
        for key in _LABEL_RE.findall(token.content):
            labels.setdefault(key.strip(), number)
    state.env["equations"] = labels


def _equation_reference(state: StateInline, silent: bool) -> bool:
    r"""Parse \eqref{key} and \ref{key} in text into a link to the labelled equation."""
    source, start = state.src, state.pos
    if not source.startswith(("\\eqref{", "\\ref{"), start):
        return False
    opening = source.index("{", start)
    end = source.find("}", opening, state.posMax)
    key = source[opening + 1 : end].strip() if end > 0 else ""
    if not key or "\n" in key:
        return False
    if not silent:
        token = state.push("equation_ref", "a", 0)
        token.meta = {"key": key, "parenthesized": source[start + 1] == "e"}
    state.pos = end + 1
    return True


def _render_equation_reference(
    renderer: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    meta = tokens[index].meta
    number = env.get("equations", {}).get(meta["key"])
    if number is None:  # LaTeX prints "??" for a label it does not know; the preview shows it too
        unknown = "(??)" if meta["parenthesized"] else "??"
        return f'<span class="equation-ref" title="{escapeHtml(meta["key"])}">{unknown}</span>'
    label = _equation_label(number, number.parenthesized and meta["parenthesized"])
    return f'<a class="equation-ref" href="#{number.id}">{label}</a>'


# GFM splits table rows on every unescaped "|" and turns "\|" into "|", which would cut
# $|x|$ in two and turn the norm $\|x\|$ into an absolute value. markdown-it calls the
# module-level escapedSplit, so it is replaced by a version that masks pipes inside
# inline math, active only while this module's table rule runs (other MarkdownIt
# instances in the process keep the stock behaviour). The package re-exports the rule
# function under the module's name, hence import_module.
_table_rule_module = importlib.import_module("markdown_it.rules_block.table")
_split_table_row = _table_rule_module.escapedSplit
_stock_table_rule = _table_rule_module.table
_keep_math_in_cells = contextvars.ContextVar("keep_math_in_cells", default=False)
_PIPE_MASK = "\x00"  # markdown-it replaces NUL in its input, so it cannot occur here


def _is_escaped(text: str, position: int) -> bool:
    backslashes = 0
    while position - backslashes - 1 >= 0 and text[position - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _inline_math_spans(text: str) -> list[tuple[int, int]]:
    """Return (start, end) of the inline math in a table row, by the inline rules."""
    spans = []
    position = 0
    length = len(text)
    while position < length:
        character = text[position]
        if character == "\\" and text.startswith("\\(", position) and not _is_escaped(text, position):
            end = text.find("\\)", position + 2)
            if end > position + 2:
                spans.append((position, end + 2))
                position = end + 2
                continue
        elif character == "$" and not _is_escaped(text, position):
            if text.startswith("$$", position):
                end = text.find("$$", position + 2)
                if end > position + 2:
                    spans.append((position, end + 2))
                    position = end + 2
                    continue
            else:
                end = text.find("$", position + 1)
                while end > 0 and _is_escaped(text, end):
                    end = text.find("$", end + 1)
                opens = position + 1 < length and not text[position + 1].isspace()
                opens = opens and not (position > 0 and text[position - 1].isdigit())
                closes = end > position + 1 and not text[end - 1].isspace()
                closes = closes and not (end + 1 < length and text[end + 1].isdigit())
                if opens and closes:
                    spans.append((position, end + 1))
                    position = end + 1
                    continue
        position += 1
    return spans


def _split_table_row_keeping_math(row: str) -> list[str]:
    if not _keep_math_in_cells.get() or ("$" not in row and "\\(" not in row):
        return _split_table_row(row)
    spans = _inline_math_spans(row)
    if not spans:
        return _split_table_row(row)
    pieces, previous = [], 0
    for start, end in spans:
        pieces.append(row[previous:start])
        pieces.append(row[start:end].replace("|", _PIPE_MASK))
        previous = end
    pieces.append(row[previous:])
    return [cell.replace(_PIPE_MASK, "|") for cell in _split_table_row("".join(pieces))]


_table_rule_module.escapedSplit = _split_table_row_keeping_math


def _table_keeping_math(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    reset_token = _keep_math_in_cells.set(True)
    try:
        return _stock_table_rule(state, start_line, end_line, silent)
    finally:
        _keep_math_in_cells.reset(reset_token)


# --- raw HTML: the tag filter ---------------------------------------------------------------
#
# A raw-text or removed-with-content element in a post ("Put CSS in a <style> element.") would
# swallow everything after it: the browser (or the sanitizer, which drops these elements with
# their content) reads on to a closing tag that never comes. As GFM's tag filter does, such tags
# are escaped wherever raw HTML passes through, so they show as the text the author typed. The
# list is GFM's plus every element the sanitizer removes with its content.

_FILTERED_TAGS = (
    "title", "textarea", "style", "xmp", "iframe", "noembed", "noframes", "script", "plaintext",
    "noscript", "template", "object", "embed", "select", "svg",
)  # fmt: skip
_FILTERED_TAG_RE = re.compile(r"<(?=/?(?:" + "|".join(_FILTERED_TAGS) + r")(?:[\s/>]|$))", re.IGNORECASE)
# CommonMark's HTML block of type 1 runs from <script>, <style> or <textarea> to its closing tag,
# or to the end of the post when there is none: every heading and paragraph after it would be
# raw text. Such a line is read as a paragraph instead, whose tag the filter then escapes.
_RAW_TEXT_BLOCK_RE = re.compile(r"<(?:script|style|textarea)(?:[\s>]|$)", re.IGNORECASE)


def _filter_tags(html: str) -> str:
    return _FILTERED_TAG_RE.sub("&lt;", html)


def _html_block_without_raw_text(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if _RAW_TEXT_BLOCK_RE.match(state.src, state.bMarks[start_line] + state.tShift[start_line]):
        return False
    return _stock_html_block(state, start_line, end_line, silent)


def _render_raw_html(
    renderer: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    return _filter_tags(tokens[index].content)


# --- code blocks ------------------------------------------------------------------------

_CLASS_FORMATTER = HtmlFormatter(nowrap=True)
_INLINE_STYLE_FORMATTER = HtmlFormatter(nowrap=True, noclasses=True, style=FEED_CODE_STYLE)
_FEED_CODE_BACKGROUND = get_style_by_name(FEED_CODE_STYLE).background_color


@functools.lru_cache(maxsize=128)
def _lexer_for(language: str):
    """Return a Pygments lexer for an info-string language, or None if unknown."""
    try:
        # stripnl=False keeps leading blank lines, which CommonMark says are content.
        return get_lexer_by_name(language, stripnl=False, ensurenl=True)
    except ClassNotFound:
        return None


def _render_code(
    renderer: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    """Render a fenced or indented code block, highlighted when the language is known."""
    token = tokens[index]
    words = unescapeAll(token.info).split() if token.info else []
    language = words[0] if words else ""
    lexer = _lexer_for(language.lower()) if language else None
    inline_styles = bool(env.get("inline_styles"))
    if lexer is None:
        body = escapeHtml(token.content)
    else:
        formatter = _INLINE_STYLE_FORMATTER if inline_styles else _CLASS_FORMATTER
        body = highlight(token.content, lexer, formatter)
    if "linenos" in words[1:]:
        lines = body.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        body = "".join(
            f'<span class="linenos">{number}</span>{line}\n' for number, line in enumerate(lines, 1)
        )
    code_class = f' class="language-{escapeHtml(language)}"' if language else ""
    data_lang = f' data-lang="{escapeHtml(language)}"' if language else ""
    pre_style = f' style="background-color: {_FEED_CODE_BACKGROUND}"' if inline_styles else ""
    return f'<div class="codeblock"{data_lang}><pre{pre_style}><code{code_class}>{body}</code></pre></div>\n'


# --- the parser -------------------------------------------------------------------------


def _build_parser() -> MarkdownIt:
    parser = (
        MarkdownIt("commonmark")
        .enable(["table", "strikethrough"])
        .use(cjk_friendly)
        .use(footnote_plugin, inline=False)
        .use(tasklists_plugin)
        # Pandoc's rule: no space inside the dollars and no digit right after the
        # closing one, so "$5 and $10" stays prose.
        .use(
            dollarmath_plugin,
            allow_labels=False,
            allow_space=False,
            allow_digits=False,
            double_inline=True,
        )
        .use(amsmath_plugin)
    )
    parser.inline.ruler.before("escape", "bracket_math", _bracket_math_inline)
    parser.inline.ruler.before("escape", "equation_ref", _equation_reference)
    parser.block.ruler.before("fence", "bracket_math_block", _bracket_math_block)
    parser.block.ruler.at("table", _table_keeping_math)
    parser.block.ruler.at(
        "html_block", _html_block_without_raw_text, {"alt": ["paragraph", "reference", "blockquote"]}
    )
    parser.core.ruler.push("heading_ids", _assign_heading_ids)
    parser.core.ruler.push("equation_numbers", _number_equations)
    parser.core.ruler.push("autolink_bare_urls", _autolink_bare_urls)
    parser.core.ruler.push("glue_punctuation_to_math", _glue_punctuation_to_math)

    parser.add_render_rule("math_inline", _render_inline_math)
    parser.add_render_rule("math_inline_double", _render_display_math_in_text)
    parser.add_render_rule("math_block", _render_display_math_block)
    parser.add_render_rule("amsmath", _render_display_math_block)
    parser.add_render_rule("equation_ref", _render_equation_reference)
    parser.add_render_rule("fence", _render_code)
    parser.add_render_rule("code_block", _render_code)
    parser.add_render_rule("heading_close", _render_heading_close)
    parser.add_render_rule("html_block", _render_raw_html)
    parser.add_render_rule("html_inline", _render_raw_html)
    return parser


_PARSER = _build_parser()


# --- sanitizing -------------------------------------------------------------------------

_HTML_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup",
    "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "input", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "section", "small",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "time", "tr", "u", "ul", "var", "wbr",
}  # fmt: skip
_MATHML_TAGS = {
    "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace",
    "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mover", "munder", "munderover",
    "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom", "menclose", "merror",
}  # fmt: skip
# Presentation attributes only: no href, no xlink, no event handlers, no style.
_MATHML_ATTRIBUTES = {
    "display", "mathvariant", "mathcolor", "mathbackground", "mathsize", "dir",
    "displaystyle", "scriptlevel", "stretchy", "fence", "separator", "form", "lspace",
    "rspace", "minsize", "maxsize", "movablelimits", "symmetric", "largeop", "accent",
    "accentunder", "linethickness", "width", "height", "depth", "voffset", "linebreak",
    "notation", "encoding", "columnalign", "rowalign", "rowspacing", "columnspacing",
    "columnlines", "rowlines", "frame", "columnspan", "rowspan",
}  # fmt: skip
_ATTRIBUTES = {
    "*": {"class", "title", "lang", "dir"},
    "a": {"href", "id"},
    "img": {"src", "alt", "width", "height"},
    "h1": {"id"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "li": {"id", "value"},
    "ol": {"start", "reversed", "type"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "style", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "div": {"data-lang", "id"},
    "span": {"id"},
    "details": {"open"},
    "time": {"datetime"},
    "input": {"checked"},
    **dict.fromkeys(_MATHML_TAGS, _MATHML_ATTRIBUTES),
}  # fmt: skip
_FEED_ATTRIBUTES = {
    **_ATTRIBUTES,
    "span": {"style", "id"},
    "pre": {"style"},
}

# Class names the page's CSS gives meaning to; anything else a post's raw HTML sets is
# dropped, so a post cannot dress itself up as site chrome.
_OWN_CLASSES = {
    "codeblock", "linenos", "math-display", "math-error", "heading-anchor",
    "numbered", "equation-number", "equation-ref", "math-glue",
    "task-list-item", "task-list-item-checkbox", "contains-task-list",
    "footnote-ref", "footnotes-sep", "footnotes", "footnotes-list", "footnote-item",
    "footnote-backref",
}  # fmt: skip
_ALLOWED_CLASSES = frozenset(_OWN_CLASSES | {name for name in STANDARD_TYPES.values() if name})
_LANGUAGE_CLASS_RE = re.compile(r"^language-\S+$")
_EQUATION_ID_RE = re.compile(r"^eq-[\w-]+$")
# Inline images pasted as data URLs are fine in <img src>; SVG is left out because an
# SVG opened on its own can run script.
_DATA_IMAGE_RE = re.compile(r"^data:image/(?:png|jpeg|gif|webp|avif)[;,]", re.IGNORECASE)


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "class":
        kept = [
            name
            for name in value.split()
            if name in _ALLOWED_CLASSES or (tag == "code" and _LANGUAGE_CLASS_RE.match(name))
        ]
        return " ".join(kept) or None
    if attribute == "id" and tag in ("div", "span"):
        return value if _EQUATION_ID_RE.match(value) else None  # only the renderer's equation anchors
    if attribute in ("href", "src") and value.lstrip()[:5].lower() == "data:":
        if tag == "img" and attribute == "src" and _DATA_IMAGE_RE.match(value.lstrip()):
            return value
        return None
    return value


# Removed together with their content, not just unwrapped.
_REMOVED_WITH_CONTENT = {
    "script", "style", "template", "noscript", "iframe", "object", "embed", "textarea",
    "select", "svg", "title", "xmp", "noembed", "noframes",
}  # fmt: skip
_FEED_STYLE_PROPERTIES = {
    "text-align", "color", "background-color", "font-weight", "font-style", "text-decoration",
}  # fmt: skip


def _make_cleaner(attributes: dict[str, set[str]], style_properties: set[str]) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=_HTML_TAGS | _MATHML_TAGS,
        clean_content_tags=_REMOVED_WITH_CONTENT,
        attributes=attributes,
        attribute_filter=_filter_attribute,
        url_schemes={"http", "https", "mailto", "data"},
        # rel is added after cleaning, to external links only; none comes from input.
        link_rel=None,
        tag_attribute_values={"a": {"aria-hidden": {"true"}, "tabindex": {"-1"}}},
        set_tag_attribute_values={
            "img": {"loading": "lazy"},
            # Only task-list checkboxes, never a text field asking for a password.
            "input": {"type": "checkbox", "disabled": "disabled"},
        },
        filter_style_properties=style_properties,
        strip_comments=True,
    )


_PAGE_CLEANER = _make_cleaner(_ATTRIBUTES, {"text-align"})
_FEED_CLEANER = _make_cleaner(_FEED_ATTRIBUTES, _FEED_STYLE_PROPERTIES)

# Safe on nh3's output only: it quotes every attribute with " and escapes <, > and "
# inside values and text, so "<a " can only be the start of a real tag.
# tests/blog/test_sanitize.py holds a vector that breaks this if that ever changes.
_EXTERNAL_LINK_RE = re.compile(r'<a (?=[^>]*\bhref="https?://)', re.IGNORECASE)


def _mark_external_links(html: str) -> str:
    return _EXTERNAL_LINK_RE.sub('<a rel="noopener" ', html)


def sanitize_html(html: str) -> str:
    """Return ``html`` passed through the page allowlist (for HTML from outside, e.g. feeds)."""
    return _PAGE_CLEANER.clean(html)


def render_markdown(text: str, *, inline_styles: bool = False) -> str:
    """Return sanitized HTML for Markdown ``text``; safe to mark safe in a template.

    ``inline_styles=True`` highlights code with inline ``style`` attributes and leaves
    out heading permalinks, for feed readers that drop the site's stylesheet.
    """
    if not text:
        return ""
    html = _PARSER.render(text, {"inline_styles": inline_styles})
    cleaner = _FEED_CLEANER if inline_styles else _PAGE_CLEANER
    return _mark_external_links(cleaner.clean(html))


def render_document(text: str) -> Document:
    """Return the document of Markdown ``text``: its sanitized page HTML and the outline of it."""
    return Document.from_html(render_markdown(text))


# --- table of contents ----------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    """One table-of-contents entry: its plain text (formulas as TeX) and its HTML (formulas as MathML)."""

    level: int
    id: str
    text: str
    html: str = ""


def table_of_contents(document: Document) -> list[Heading]:
    """Return the h2–h4 headings of a document, in order, for a table of contents."""
    return [
        Heading(block.level, block.id, block.text, inline_html(block.inlines))
        for block in document.headings()
        if block.id
    ]


def extract_headings(html: str) -> list[Heading]:
    """Return the h2–h4 headings of rendered HTML, in order, for a table of contents."""
    return table_of_contents(Document.from_html(html))
