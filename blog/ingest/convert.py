"""Feed entry HTML to the Markdown that authors edit, keeping every formula as TeX.

Formulas arrive in many disguises: MathJax/KaTeX delimiters in the text, `<script
type="math/tex">`, KaTeX or MathML output with a TeX annotation, and formula images that carry
their TeX in an attribute or the alt text (Zhihu's `<img class="ztext-math" data-tex="…">`,
`eeimg`). Each is lifted out first and replaced by an inert placeholder word, so neither the
sanitizer nor the Markdown writer can touch it; the entry is then sanitized with the page's
allowlist, converted, and the placeholders become `$…$` / `$$…$$` again.
"""

import re
from urllib.parse import parse_qs, urljoin, urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString
from markdownify import MarkdownConverter

from blog.markdown import sanitize_html

PLACEHOLDER = "INKSTONEMATH{}X"
PLACEHOLDER_RE = re.compile(r"INKSTONEMATH(\d+)X")
TEX_ANNOTATION = {"application/x-tex", "tex", "latex", "application/x-latex"}
FORMULA_IMAGE_CLASSES = {"ztext-math", "math", "latex", "tex"}
NO_MATH_INSIDE = {"pre", "code", "script", "style", "textarea", "kbd", "samp"}

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
LANGUAGE_CLASS_RE = re.compile(r"^(?:language|lang|highlight-source|brush:?)-?(?P<language>[\w+#.-]+)$")


class Formulas:
    """The formulas lifted out of one entry, by placeholder number."""

    def __init__(self):
        self.items = []

    def add(self, tex, display):
        """Store a formula and return its placeholder word."""
        tex = tex.strip()
        self.items.append((tex, display))
        return PLACEHOLDER.format(len(self.items) - 1)

    def restore(self, markdown):
        """Replace every placeholder in `markdown` with its formula in Markdown math syntax."""

        def formula(match):
            tex, display = self.items[int(match.group(1))]
            if display:
                return f"\n\n$$\n{tex}\n$$\n\n"
            return f"${tex}$"

        return PLACEHOLDER_RE.sub(formula, markdown)


def annotation_tex(element):
    """The TeX source kept in a MathML/KaTeX element's annotation, or None."""
    for annotation in element.find_all("annotation"):
        if (annotation.get("encoding") or "").lower() in TEX_ANNOTATION:
            return annotation.get_text()
    return None


def image_tex(image):
    """The TeX carried by a formula image (data-tex, Zhihu/eeimg alt text, ?tex= URL), or None."""
    if image.get("data-tex"):
        return image["data-tex"]
    classes = set(image.get("class") or [])
    marked_as_formula = classes & FORMULA_IMAGE_CLASSES or image.has_attr("eeimg")
    if marked_as_formula and image.get("alt"):
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


def lift_formulas(soup, formulas):
    """Replace every formula in `soup` with a placeholder word."""
    for script in soup.find_all("script"):
        kind = (script.get("type") or "").lower()
        if kind.startswith("math/tex"):
            script.replace_with(formulas.add(script.get_text(), "mode=display" in kind))
    for katex in soup.select(".katex-display, .katex"):
        if katex.decomposed or katex.parent is None:
            continue
        tex = annotation_tex(katex)
        if tex is not None:
            display = "katex-display" in (katex.get("class") or []) or katex.find_parent(
                class_="katex-display"
            )
            katex.replace_with(formulas.add(tex, bool(display)))
    for math in soup.find_all("math"):
        if math.parent is None:
            continue
        tex = annotation_tex(math)
        if tex is None:
            # MathML without TeX: keep what a reader would read rather than lose it.
            tex = " ".join(math.get_text(" ").split())
        math.replace_with(formulas.add(tex, math.get("display") == "block"))
    for image in soup.find_all("img"):
        tex = image_tex(image)
        if tex is None:
            continue
        display = tex.rstrip().endswith("\\\\") or is_alone_in_block(image)
        tex = re.sub(r"\\\\\s*$", "", tex.rstrip())
        image.replace_with(formulas.add(tex, display))
    for text in list(soup.find_all(string=True)):
        # The cheap test first: most strings hold no delimiter, and find_parent walks the tree.
        if not TEXT_MATH_RE.search(text) or isinstance(text, Comment) or text.find_parent(NO_MATH_INSIDE):
            continue
        text.replace_with(
            NavigableString(TEXT_MATH_RE.sub(lambda match: _text_formula(match, formulas), text))
        )


def _text_formula(match, formulas):
    display_tex = match.group("display_dollars") or match.group("display_brackets")
    if display_tex is not None:
        return formulas.add(display_tex, True)
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


def prepare_code_blocks(soup):
    """Give every <pre> a single <code class="language-…"> the sanitizer keeps."""
    for pre in soup.find_all("pre"):
        language = code_language(pre)
        text = pre.get_text()
        pre.clear()
        code = soup.new_tag("code")
        if language:
            code["class"] = [f"language-{language}"]
        code.string = text
        pre.append(code)
        pre.attrs = {}


def absolutize_urls(soup, base_url):
    """Make link and image URLs absolute against the entry's own URL."""
    for tag, attribute in (("a", "href"), ("img", "src")):
        for element in soup.find_all(tag):
            value = (element.get(attribute) or "").strip()
            if value and base_url and not value.startswith("#"):
                element[attribute] = urljoin(base_url, value)


class EntryMarkdownConverter(MarkdownConverter):
    """markdownify with the house Markdown: ATX headings, "-" bullets, fenced code."""

    def __init__(self, **options):
        super().__init__(
            heading_style="ATX",
            bullets="-",
            code_language_callback=code_language,
            strip=["span", "font"],
            **options,
        )


def html_to_markdown(html, base_url=""):
    """Return Markdown for an entry's HTML: sanitized, URLs absolute, every formula as TeX."""
    soup = BeautifulSoup(html or "", "html.parser")
    formulas = Formulas()
    lift_formulas(soup, formulas)
    prepare_code_blocks(soup)
    absolutize_urls(soup, base_url)
    clean = sanitize_html(str(soup))
    markdown = EntryMarkdownConverter().convert(clean)
    markdown = formulas.restore(markdown)
    return re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n"
