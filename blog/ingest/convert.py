"""Feed entry HTML to the Markdown that authors edit, keeping every formula as TeX.

Formulas arrive in many disguises: MathJax/KaTeX delimiters in the text, `<script
type="math/tex">`, KaTeX or MathML output with a TeX annotation, and formula images or spans
that carry their TeX in an attribute or the alt text (Zhihu's `<span class="ztext-math"
data-tex="…">`, `eeimg`, `<img class="mathjax" alt="…">`, an alt of `$T=1$`). Each is lifted
out first and replaced by an inert placeholder word, so neither the sanitizer nor the Markdown
writer can touch it; the entry is then sanitized with the page's allowlist, converted, and the
placeholders become `$…$` / `$$…$$` again.

What was text in the entry stays text: every character the Markdown renderer would read as
syntax (`<`, `&lt;b&gt;` decoded to `<b>`, `*`, `[…](…)`, `$`, a "1." starting a line) is
escaped, so "History of the &lt;blink&gt; tag" shows its tag name instead of hiding the rest of
the post. Links and images keep only absolute http(s) URLs (blog.ingest.links); a link to
anything else becomes its text.
"""

import re
import secrets
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from markdownify import MarkdownConverter, chomp

from blog.markdown import sanitize_html

from .links import http_url
from .plain_text import without_control_characters

TEX_ANNOTATION = {"application/x-tex", "tex", "latex", "application/x-latex"}
FORMULA_IMAGE_CLASSES = {"ztext-math", "math", "latex", "tex", "mathjax", "mathtex", "katex", "wp-latex"}
NO_MATH_INSIDE = {"pre", "code", "script", "style", "textarea", "kbd", "samp"}
# A display formula inside these would end the cell, heading or link it is in: it is written
# on one line there, as $$…$$, which the renderer shows as display math in the run of text.
ONE_LINE_CONTEXTS = {"td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "a"}

# Delimited TeX in running text. Single dollars follow Pandoc's rule: no space just inside
# either dollar and no digit right after the closing one, so "$5 and $10" stays prose.
TEXT_MATH_RE = re.compile(
    r"""
    (?<!\\)\$\$(?P<display_dollars>.+?)(?<!\\)\$\$
  | \\\[(?P<display_brackets>.+?)\\\]
  | \\\((?P<inline_parens>.+?)\\\)
  | (?<![\\$\w])\$(?P<inline_dollar>[^\s$](?:[^$]*?[^\s\\$])?)\$(?![\d$])
    """,
    re.VERBOSE | re.DOTALL,
)
# An alt text that is nothing but one delimited formula ("$T=1$", "$$E=mc^2$$", "\(x\)").
DELIMITED_TEX_RE = re.compile(
    r"""^\s*(?:
        \$\$(?P<display_dollars>.+)\$\$
      | \\\[(?P<display_brackets>.+)\\\]
      | \\\((?P<inline_parens>.+)\\\)
      | \$(?P<inline_dollar>[^$].*)\$
    )\s*$""",
    re.VERBOSE | re.DOTALL,
)
LANGUAGE_CLASS_RE = re.compile(r"^(?:language|lang|highlight-source|brush:?)-?(?P<language>[\w+#.-]+)$")


class Formulas:
    """The formulas lifted out of one entry, by placeholder number.

    The placeholder word carries a random token of this conversion, so an entry whose text
    happens to spell a placeholder cannot pull a formula (or an error) out of another one.
    """

    def __init__(self):
        self.items = []
        token = secrets.token_hex(4).upper()
        self.placeholder = f"INKSTONEMATH{token}N{{}}X"
        self.placeholder_re = re.compile(rf"INKSTONEMATH{token}N(\d+)X")

    def add(self, tex, display, one_line=False):
        """Store a formula and return its placeholder word."""
        tex = tex.strip()
        self.items.append((tex, display, one_line))
        return self.placeholder.format(len(self.items) - 1)

    def restore(self, markdown):
        """Replace every placeholder in `markdown` with its formula in Markdown math syntax."""

        def formula(match):
            tex, display, one_line = self.items[int(match.group(1))]
            if display and one_line:
                return f"$${' '.join(tex.split())}$$"
            if display:
                return f"\n\n$$\n{tex}\n$$\n\n"
            before = markdown[match.start() - 1 : match.start()]
            after = markdown[match.end() : match.end() + 1]
            if (before.isdigit() or after.isdigit() or "$" in tex) and "\\)" not in tex:
                # "1$x$" or "$x$2" is prose to the renderer (Pandoc's rule), \(x\) never is.
                return f"\\({tex}\\)"
            return f"${tex}$"

        return self.placeholder_re.sub(formula, markdown)


def annotation_tex(element):
    """The TeX source kept in a MathML/KaTeX element's annotation, or None."""
    for annotation in element.find_all("annotation"):
        if (annotation.get("encoding") or "").lower() in TEX_ANNOTATION:
            return annotation.get_text()
    return None


def delimited_tex(text):
    """(TeX, display) when `text` is one delimited formula, else None."""
    match = DELIMITED_TEX_RE.match(text or "")
    if match is None:
        return None
    display = match.group("display_dollars") or match.group("display_brackets")
    if display is not None:
        return display, True
    return match.group("inline_parens") or match.group("inline_dollar"), False


def image_tex(image):
    """The TeX carried by a formula image (data-tex, formula class or eeimg alt, ?tex= URL), or None."""
    if image.get("data-tex"):
        return image["data-tex"]
    classes = set(image.get("class") or [])
    marked_as_formula = classes & FORMULA_IMAGE_CLASSES or image.has_attr("eeimg")
    if marked_as_formula and image.get("alt"):
        return image["alt"]
    if delimited_tex(image.get("alt")) is not None:
        return image["alt"]
    source = image.get("src") or ""
    query = parse_qs(urlsplit(source).query)
    if query.get("tex") and ("equation" in source or "latex" in source):
        return query["tex"][0]
    return None


def is_alone_in_block(element):
    """True when `element` is the only content of its paragraph (a display formula image)."""
    parent = element.parent
    if parent is None or parent.name not in {"p", "div", "figure", "center"}:
        return False
    others = [
        child for child in parent.children if child is not element and str(child).strip() not in {"", "\xa0"}
    ]
    return not others


def is_in_one_line_context(element):
    return element.find_parent(ONE_LINE_CONTEXTS) is not None


def lift_formula_element(element, tex, formulas, marked_display=False):
    """Replace a formula image or span by its placeholder.

    Display when the source says so ($$…$$ or \\[…\\] around the TeX, a trailing \\\\ as Zhihu
    writes it, a block element) or when the formula stands alone in its paragraph.
    """
    delimited = delimited_tex(tex)
    if delimited is not None:
        tex, marked_display = delimited[0], delimited[1] or marked_display
    display = marked_display or tex.rstrip().endswith("\\\\") or is_alone_in_block(element)
    tex = re.sub(r"\\\\\s*$", "", tex.rstrip())
    element.replace_with(formulas.add(tex, display, is_in_one_line_context(element)))


def tag_names(soup):
    """The names of the elements in `soup`, so a pass over tags that are absent can be skipped.

    One walk of the tree: most entries hold no script, MathML, table or frame, and each
    `find_all` of them costs a walk of its own. "[data-tex]" and ".katex" stand for an element
    with that attribute or class.
    """
    names = set()
    for element in soup.descendants:
        if isinstance(element, Tag):
            names.add(element.name)
            if "data-tex" in element.attrs:
                names.add("[data-tex]")
            if any("katex" in name for name in element.get("class") or ()):
                names.add(".katex")
    return names


def lift_formulas(soup, formulas, names=None):
    """Replace every formula in `soup` with a placeholder word."""
    names = tag_names(soup) if names is None else names
    for script in soup.find_all("script") if "script" in names else ():
        kind = (script.get("type") or "").lower()
        if kind.startswith("math/tex"):
            script.replace_with(
                formulas.add(script.get_text(), "mode=display" in kind, is_in_one_line_context(script))
            )
    katex_elements = soup.select(".katex-display, .katex") if ".katex" in names else ()
    for katex in katex_elements:
        if katex.decomposed or katex.parent is None:
            continue
        tex = annotation_tex(katex)
        if tex is not None:
            display = "katex-display" in (katex.get("class") or []) or katex.find_parent(
                class_="katex-display"
            )
            katex.replace_with(formulas.add(tex, bool(display), is_in_one_line_context(katex)))
    for math in soup.find_all("math") if "math" in names else ():
        if math.parent is None:
            continue
        tex = annotation_tex(math)
        if tex is None:
            # MathML without TeX: keep what a reader would read rather than lose it.
            tex = " ".join(math.get_text(" ").split())
        math.replace_with(formulas.add(tex, math.get("display") == "block", is_in_one_line_context(math)))
    for element in soup.find_all(attrs={"data-tex": True}) if "[data-tex]" in names else ():
        # Zhihu's <span class="ztext-math" data-tex="…">, whose text is the same TeX again.
        if element.name != "img" and element.parent is not None and element["data-tex"].strip():
            lift_formula_element(element, element["data-tex"], formulas, element.name == "div")
    for image in soup.find_all("img") if "img" in names else ():
        tex = image_tex(image)
        if tex is not None and tex.strip():
            lift_formula_element(image, tex, formulas)
    for text in list(soup.find_all(string=True)):
        # The cheap test first: most strings hold no delimiter, and find_parent walks the tree.
        if not TEXT_MATH_RE.search(text) or isinstance(text, Comment) or text.find_parent(NO_MATH_INSIDE):
            continue
        one_line = is_in_one_line_context(text)
        text.replace_with(
            NavigableString(
                TEXT_MATH_RE.sub(
                    lambda match, one_line=one_line: _text_formula(match, formulas, one_line), text
                )
            )
        )


def _text_formula(match, formulas, one_line):
    display_tex = match.group("display_dollars") or match.group("display_brackets")
    if display_tex is not None:
        return formulas.add(display_tex, True, one_line)
    return formulas.add(match.group("inline_parens") or match.group("inline_dollar"), False)


def code_language(element):
    """The language of a code block from its own or its <code>'s class names, or ""."""
    for candidate in (element, element.find("code")):
        if candidate is None:
            continue
        for name in candidate.get("class") or []:
            match = LANGUAGE_CLASS_RE.match(name)
            if match:
                return match.group("language").lower()
        if candidate.get("data-lang"):
            return candidate["data-lang"].lower()
    return ""


def prepare_code_blocks(soup, names=None):
    """Give every <pre> a single <code class="language-…"> the sanitizer keeps."""
    names = tag_names(soup) if names is None else names
    for pre in soup.find_all("pre") if "pre" in names else ():
        language = code_language(pre)
        text = pre.get_text()
        pre.clear()
        code = soup.new_tag("code")
        if language:
            code["class"] = [f"language-{language}"]
        code.string = text
        pre.append(code)
        pre.attrs = {}


# Markdown has no way to put a block inside emphasis or a link, or a table inside a table cell:
# written as is, the block's lines would end the emphasis, or the inner table's cells would
# spill past the outer row's and be dropped. Such entries are flattened first.
BLOCK_ELEMENTS = {
    "address", "article", "aside", "blockquote", "center", "details", "div", "dl", "figure",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "nav", "ol", "p", "pre",
    "section", "table", "ul",
}  # fmt: skip
INLINE_WRAPPERS = {
    "a", "abbr", "b", "cite", "code", "del", "em", "i", "ins", "kbd", "label", "mark", "q", "s",
    "samp", "small", "strike", "strong", "sub", "sup", "u", "var",
}  # fmt: skip
# The sanitizer removes these with what they hold; what they hold is the fallback a reader sees
# when the plugin or frame does not load, so it is kept as the entry's text.
FALLBACK_CONTAINERS = {"object", "iframe"}


def flatten_for_markdown(soup, names=None):
    """Unwrap what Markdown cannot nest, keeping every word: emphasis or links around blocks,
    tables inside tables, objects and frames around their fallback text; and give every row
    of a table as many cells as its widest row, since cells past the first row's are dropped.
    """
    names = tag_names(soup) if names is None else names
    for element in soup.find_all(FALLBACK_CONTAINERS) if names & FALLBACK_CONTAINERS else ():
        for parameter in element.find_all(["param", "embed"]):
            parameter.decompose()
        element.unwrap()
    if names & INLINE_WRAPPERS and names & BLOCK_ELEMENTS:
        for element in soup.find_all(INLINE_WRAPPERS):
            if _holds_a_block(element):
                element.unwrap()
    if "table" not in names:
        return
    for table in soup.find_all("table"):
        if table.find_parent("table") is None:
            continue
        for cell in table.find_all(["td", "th"]):
            cell.append(" ")
            cell.unwrap()
        for row in table.find_all("tr"):
            row.append(soup.new_tag("br"))
            row.unwrap()
        for part in table.find_all(["thead", "tbody", "tfoot", "caption", "colgroup", "col"]):
            part.unwrap()
        table.unwrap()
    for table in soup.find_all("table"):
        rows = [row for row in table.find_all("tr") if row.find_parent("table") is table]
        widths = [_row_width(row) for row in rows]
        for row, width in zip(rows, widths, strict=True):
            for _ in range(max(widths, default=0) - width):
                row.append(soup.new_tag("td"))


def _holds_a_block(element):
    return any(isinstance(inner, Tag) and inner.name in BLOCK_ELEMENTS for inner in element.descendants)


def _row_width(row):
    width = 0
    for cell in row.find_all(["td", "th"], recursive=False):
        span = str(cell.get("colspan") or "1")
        width += max(1, min(1000, int(span))) if span.isdigit() else 1
    return width


def keep_http_links(soup, base_url, names=None):
    """Make link and image URLs absolute http(s) URLs; other links become text, other images go.

    A fragment ("#note-1") is resolved against the entry's URL too: its anchor is on the
    original page, not in our copy.
    """
    names = tag_names(soup) if names is None else names
    for link in soup.find_all("a") if "a" in names else ():
        url = http_url(link.get("href") or "", base_url) if link.get("href") else ""
        if url:
            link["href"] = url
        else:
            link.attrs.pop("href", None)
    for image in soup.find_all("img") if "img" in names else ():
        url = http_url(image.get("src") or "", base_url)
        if url:
            image["src"] = url
        else:
            image.decompose()


# --- Markdown escaping -----------------------------------------------------------------
#
# CommonMark lets a backslash escape any ASCII punctuation, but this renderer reads \[…\] and
# \(…\) as math, so "[" and "(" are never escaped: "]" is, which is enough to keep "[1](x)"
# from being a link or "[^1]" a footnote. Line-start markers ("#", "-", "+", "=", "1.") can
# only matter at the start of a line, which for a text node is its start or after a newline.

_INLINE_SYNTAX_RE = re.compile(r"([\\`*_~|<>\]$])")
_ENTITY_LIKE_RE = re.compile(r"&(?=#\d+;|#[xX][0-9A-Fa-f]+;|[A-Za-z][A-Za-z0-9]*;)")
_HASH_RE = re.compile(r"(^|\s)(#)", re.MULTILINE)
_LINE_START_RE = re.compile(r"^([ \t]*)([-+=])", re.MULTILINE)
_LIST_NUMBER_RE = re.compile(r"^([ \t]*\d{1,9})([.)])(?=\s|$)", re.MULTILINE)
_BANG_AT_END_RE = re.compile(r"!$")


def escape_markdown_text(text):
    """Return `text` with every character Markdown would read as syntax backslash-escaped."""
    text = _INLINE_SYNTAX_RE.sub(r"\\\1", text)
    text = _ENTITY_LIKE_RE.sub(r"\\&", text)
    text = _HASH_RE.sub(r"\1\\\2", text)
    text = _LINE_START_RE.sub(r"\1\\\2", text)
    text = _LIST_NUMBER_RE.sub(r"\1\\\2", text)
    # "!" just before a link would make it an image.
    return _BANG_AT_END_RE.sub(r"\\!", text)


def _link_destination(url):
    # http_url leaves no space or angle bracket; parentheses would end (…) early.
    return f"<{url}>" if "(" in url or ")" in url else url


def _link_title(title):
    if not title:
        return ""
    title = " ".join(title.split()).replace("\\", "\\\\").replace('"', '\\"')
    return f' "{title}"'


def _image_description(alt):
    # Brackets as character references: "\[" would open math here, and "[" alone a link.
    alt = " ".join((alt or "").split())
    alt = _ENTITY_LIKE_RE.sub(r"\\&", alt.replace("\\", "\\\\"))
    return alt.replace("[", "&#91;").replace("]", "&#93;").replace("`", "\\`")


def _fence_for(text):
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=2)
    return "`" * (longest + 1)


class EntryMarkdownConverter(MarkdownConverter):
    """markdownify with the house Markdown: ATX headings, "-" bullets, fenced code, text escaped."""

    def __init__(self, **options):
        super().__init__(
            heading_style="ATX",
            bullets="-",
            code_language_callback=code_language,
            strip=["span", "font"],
            **options,
        )

    def escape(self, text, parent_tags):
        return escape_markdown_text(text) if text else ""

    def convert_a(self, el, text, parent_tags):
        if "_noformat" in parent_tags:
            return text
        prefix, suffix, text = chomp(text)
        href = el.get("href")
        if not text or not href:
            return f"{prefix}{text}{suffix}"
        return f"{prefix}[{text}]({_link_destination(href)}{_link_title(el.get('title'))}){suffix}"

    def convert_img(self, el, text, parent_tags):
        # Also in table cells and headings: Markdown has images there (markdownify writes the alt).
        src = el.get("src")
        if not src:
            return ""
        destination = _link_destination(src)
        return f"![{_image_description(el.get('alt'))}]({destination}{_link_title(el.get('title'))})"

    def convert_code(self, el, text, parent_tags):
        code = super().convert_code(el, text, parent_tags)
        if "td" in parent_tags or "th" in parent_tags:
            code = code.replace("|", "\\|")  # GFM: a pipe in a cell ends it, even in code
        return code

    def convert_pre(self, el, text, parent_tags):
        if not text:
            return ""
        text = text.strip("\n")
        fence = _fence_for(text)
        return f"\n\n{fence}{code_language(el)}\n{text}\n{fence}\n\n"


def html_to_markdown(html, base_url=""):
    """Return Markdown for an entry's HTML: sanitized, links http(s) only, every formula as TeX.

    Rendered again by blog.markdown, it shows the text the entry showed: nothing that was
    text becomes markup, and no control character survives.
    """
    soup = BeautifulSoup(without_control_characters(html or ""), "html.parser")
    formulas = Formulas()
    # Taken once, before any pass: no pass adds an element another pass acts on (the <code>
    # that prepare_code_blocks adds holds only text), so the set may only over-approximate.
    names = tag_names(soup)
    lift_formulas(soup, formulas, names)
    prepare_code_blocks(soup, names)
    flatten_for_markdown(soup, names)
    keep_http_links(soup, base_url, names)
    clean = sanitize_html(str(soup))
    markdown = EntryMarkdownConverter().convert(clean)
    # Again at the end: a character reference ("&#27;") only becomes a control character here.
    markdown = without_control_characters(formulas.restore(markdown))
    return re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n"
