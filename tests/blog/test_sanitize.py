"""Hostile posts: nothing executable may survive render_markdown, in page or feed mode.

Every output is parsed with html.parser (which decodes entities as a browser does) and
checked element by element: forbidden tags, event-handler attributes, URL schemes in
every URL-bearing attribute, style values, and what MathML may carry.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from blog.markdown import render_markdown

VECTORS = {
    # --- Markdown links ---
    "md link javascript": "[x](javascript:alert(1))",
    "md link upper case": "[x](JAVASCRIPT:alert(1))",
    "md link mixed case": "[x](JaVaScRiPt:alert(1))",
    "md link entity colon": "[x](javascript&#58;alert(1))",
    "md link named colon": "[x](javascript&colon;alert(1))",
    "md link entity j": "[x](&#106;avascript:alert(1))",
    "md link hex entity j": "[x](&#x6A;avascript:alert(1))",
    "md link padded entity": "[x](&#0000106avascript:alert(1))",
    "md link entity tab": "[x](jav&#x09;ascript:alert(1))",
    "md link entity newline": "[x](jav&#x0A;ascript:alert(1))",
    "md link hex colon": "[x](javascript&#x3A;alert(1))",
    "md link angle brackets": "[x](<javascript:alert(1)>)",
    "md link leading space": "[x]( javascript:alert(1))",
    "md link vbscript": "[x](vbscript:msgbox(1))",
    "md link data html": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "md link data html raw": "[x](<data:text/html,<script>alert(1)</script>>)",
    "md link javascript comment": "[x](javascript://%0aalert(1))",
    "md link with title": '[x](javascript:alert(1) "title")',
    "md link title breakout": '[x](https://ok.example "a\\" onmouseover=\\"alert(1)")',
    "md link quote in url": '[x](https://ok.example/" onclick="alert(1))',
    "md link file": "[x](file:///etc/passwd)",
    "md link percent encoded": "[x](javascript%3Aalert(1))",
    "md link in emphasis": "**[x](javascript:alert(1))**",
    "md link nested image": "[![x](javascript:alert(1))](javascript:alert(1))",
    # --- Markdown images ---
    "md image javascript": "![x](javascript:alert(1))",
    "md image vbscript": "![x](vbscript:x)",
    "md image svg data": "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "md image html data": "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "md image alt breakout": '![x" onerror="alert(1)](https://x.example/a.png)',
    "md image title breakout": '![x](https://x.example/a.png "t\\" onerror=\\"alert(1)")',
    "md image alt is html": "![<img src=x onerror=alert(1)>](a.png)",
    "md image attr syntax": "![x](a.png){onerror=alert(1)}",
    # --- raw HTML ---
    "script": "<script>alert(1)</script>",
    "script upper with src": "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "script split": "<scr<script>ipt>alert(1)</script>",
    "script nested brackets": "<<script>script>alert(1)<</script>/script>",
    "img onerror": "<img src=x onerror=alert(1)>",
    "img onerror upper": '<img src="x" ONERROR="alert(1)">',
    "img slashes": "<img/src=x/onerror=alert(1)>",
    "img quote confusion": '<img """><script>alert(1)</script>">',
    "img eval src": "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "img svg data": '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    "img javascript src": '<img src="javascript:alert(1)">',
    "svg onload": "<svg onload=alert(1)>",
    "svg script": "<svg><script>alert(1)</script></svg>",
    "svg animate": "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "svg use href": '<svg><use href="data:image/svg+xml,<svg id=x onload=alert(1)>#x"/></svg>',
    "iframe javascript": '<iframe src="javascript:alert(1)"></iframe>',
    "iframe srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "object": '<object data="javascript:alert(1)"></object>',
    "embed": '<embed src="javascript:alert(1)">',
    "form action": '<form action="javascript:alert(1)"><button>x</button></form>',
    "button formaction": '<button formaction="javascript:alert(1)">x</button>',
    "input autofocus": "<input onfocus=alert(1) autofocus>",
    "input password": '<input type="password" name="password" placeholder="Your password">',
    "select": "<select onchange=alert(1)><option>x</option></select>",
    "details ontoggle": "<details open ontoggle=alert(1)><summary>x</summary></details>",
    "body onload": "<body onload=alert(1)>",
    "frameset": "<frameset onload=alert(1)>",
    "applet": "<applet code=x.class></applet>",
    "video source": "<video><source onerror=alert(1)></video>",
    "audio": "<audio src=x onerror=alert(1)>",
    "marquee": "<marquee onstart=alert(1)>x</marquee>",
    "isindex": "<isindex action=javascript:alert(1) type=image>",
    "a javascript": '<a href="javascript:alert(1)">x</a>',
    "a entity encoded": (
        '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>'
    ),
    "a entity newline": '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    "a leading space": '<a href=" javascript:alert(1)">x</a>',
    "a named colon": '<a href="javascript&colon;alert(1)">x</a>',
    "a hex entities": '<a href="&#x6A;avascript&#x3A;alert(1)">x</a>',
    "a nul byte": '<a href="java\x00script:alert(1)">x</a>',
    "a data html": '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "a vbscript": '<a href="vbscript:x">x</a>',
    "a onclick": '<a href="#" onclick="alert(1)">x</a>',
    "a target": '<a href="https://x.example" target="_blank">x</a>',
    "div onmouseover": '<div onmouseover="alert(1)">x</div>',
    "span pointer event": '<span class="k" onpointerenter=alert(1)>x</span>',
    "style element": "<style>body{background:url(javascript:alert(1))}</style>",
    "style attribute url": '<div style="background:url(javascript:alert(1))">x</div>',
    "style attribute expression": '<div style="width: expression(alert(1))">x</div>',
    "style overlay": '<p style="position:fixed;top:0;left:0;width:100%;height:100%">overlay</p>',
    "td style smuggling": (
        '<table><tr><td style="text-align:center;background:url(javascript:alert(1))">x</td></tr></table>'
    ),
    "link stylesheet": "<link rel=stylesheet href=//evil.example/x.css>",
    "meta refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base href": '<base href="javascript:alert(1)//">',
    "noscript mxss": '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "template": "<template><script>alert(1)</script></template>",
    "textarea": "<textarea><script>alert(1)</script></textarea>",
    "title": "<title><script>alert(1)</script></title>",
    "xmp": "<xmp><script>alert(1)</script></xmp>",
    "comment": "<!--<script>alert(1)</script>-->",
    "comment breakout": "<!-- --!><img src=x onerror=alert(1)> -->",
    "cdata": "<![CDATA[<script>alert(1)</script>]]>",
    "processing instruction": "<?xml-stylesheet href='javascript:alert(1)'?>",
    "class spoofing": '<div class="site-header admin-bar">Fake login</div>',
    # render_markdown adds rel="noopener" to "<a " tags after cleaning; a "<a " inside an
    # attribute value must never be taken for a tag.
    "rel insertion in title": "<a title='<a onclick=alert(1) x' href=\"https://x.example\">t</a>",
    "rel insertion in md title": '[t](https://x.example "<a onclick=alert(1) href=https://y")',
    "id clobbering style": '<form id="csrf"><input name="token"></form>',
    # --- MathML in raw HTML ---
    "math href": '<math href="javascript:alert(1)"><mi>x</mi></math>',
    "math xlink": '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "math maction": (
        '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>'
    ),
    "math mtext img": "<math><mtext><img src=x onerror=alert(1)></mtext></math>",
    "math mglyph mxss": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "math annotation-xml": (
        '<math><annotation-xml encoding="text/html"><img src=x onerror=alert(1)></annotation-xml></math>'
    ),
    "math style attribute": '<math><mi style="background:url(javascript:alert(1))">x</mi></math>',
    # --- autolinks ---
    "autolink javascript": "<javascript:alert(1)>",
    "autolink upper": "<JAVASCRIPT:alert(1)>",
    "autolink data": "<data:text/html,alert(1)>",
    "autolink vbscript": "<vbscript:msgbox(1)>",
    "autolink quote": '<http://example.com/" onclick="alert(1)>',
    "bare url quote": 'https://example.com/"onmouseover="alert(1)',
    "bare www script": "www.example.com/<script>alert(1)</script>",
    "bare url javascript": "see javascript:alert(1) here",
    # --- reference definitions ---
    "ref javascript": "[x]\n\n[x]: javascript:alert(1)",
    "ref angle javascript": '[x]\n\n[x]: <javascript:alert(1)> "t"',
    "ref image data": "![x]\n\n[x]: data:text/html,alert(1)",
    "ref title breakout": '[x][ref]\n\n[ref]: https://ok.example "t\\" onclick=\\"alert(1)"',
    "ref entity": "[x]\n\n[x]: &#106;avascript:alert(1)",
    # --- entities as text ---
    "escaped script text": "&lt;script&gt;alert(1)&lt;/script&gt;",
    "numeric script text": "&#60;script&#62;alert(1)&#60;/script&#62;",
    "backslash escaped tag": "\\<script>alert(1)\\</script>",
    # --- inside math ---
    "math href command": "$\\href{javascript:alert(1)}{x}$",
    "math text script": "$\\text{<script>alert(1)</script>}$",
    "math unicode brackets": "$\\unicode{x3c}script\\unicode{x3e}alert(1)$",
    "math style command": "$$\\style{background:url(javascript:alert(1))}{x}$$",
    "math class command": '$\\class{x" onclick="alert(1)}{y}$',
    "math closing tag": "$x</math><img src=x onerror=alert(1)>$",
    "math annotation breakout": "\\(\\text{</annotation><script>alert(1)</script>}\\)",
    "math error box": "$$\\foo <img src=x onerror=alert(1)>$$",
    "math align text": "\\begin{align}\na &= \\text{<svg onload=alert(1)>}\n\\end{align}",
    "math mathrm tag": "$\\mathrm{<iframe src=javascript:alert(1)>}$",
    "math color breakout": '$\\color{red" onmouseover="alert(1)}{x}$',
    "math in table": "| a |\n|---|\n| $\\href{javascript:alert(1)}{|x|}$ |",
    # --- code info strings ---
    "info string quote": '```" onclick="alert(1)\nx\n```',
    "info string script": "```<script>alert(1)</script>\nx\n```",
    "info string with linenos": '```python" onmouseover="alert(1) linenos\nx\n```',
    "info string javascript": "```javascript:alert(1)\nx\n```",
    "info string tilde img": "~~~ <img src=x onerror=alert(1)>\nx\n~~~",
    "code content script": "```html\n<script>alert(1)</script>\n```",
    "inline code script": "`<script>alert(1)</script>`",
    # --- everything else ---
    "footnote link": "x[^1]\n\n[^1]: [x](javascript:alert(1))",
    "task list img": "- [ ] <img src=x onerror=alert(1)>",
    "table img": "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "table link": "| a |\n|---|\n| [x](javascript:alert(1)) |",
    "heading img": "# <img src=x onerror=alert(1)>",
    "heading id breakout": '## x" onmouseover="alert(1)',
    "blockquote script": "> <script>alert(1)</script>",
    "list nested script": "- a\n  - <script>alert(1)</script>",
}

FORBIDDEN_TAGS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form",
    "button", "select", "textarea", "base", "link", "meta", "svg", "template", "noscript",
    "maction", "annotation-xml", "body", "html", "head", "title", "xmp", "isindex", "video",
    "audio", "source", "marquee",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "background", "poster", "data", "cite"}
SAFE_SCHEMES = {"http", "https", "mailto"}
SAFE_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp|avif)[;,]")
SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.\-]*):")
# Classes our own output uses; raw HTML may not add others.
OWN_CLASS_RE = re.compile(
    r"^(codeblock|linenos|math-display|math-error|numbered|equation-(number|ref)|heading-anchor|task-list-item(-checkbox)?|"
    r"contains-task-list|footnote(s|-ref|s-sep|s-list|-item|-backref)|language-\S+|[a-z]{1,3}\d?)$"
)


def browser_url(value: str) -> str:
    """The URL as a browser's URL parser sees it: stripped, tabs and newlines removed."""
    return re.sub(r"[\t\n\r]", "", value).strip(
        "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f "
        "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"
    )


class ElementCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    handle_startendtag = handle_starttag


def problems_in(html: str) -> list[str]:
    """Return every executable or forbidden thing found in ``html``."""
    collector = ElementCollector()
    collector.feed(html)
    collector.close()
    problems = []
    for tag, attributes in collector.elements:
        if tag in FORBIDDEN_TAGS:
            problems.append(f"<{tag}> survived")
        if tag == "input" and (attributes.get("type") != "checkbox" or "disabled" not in attributes):
            problems.append(f"an input that is not a disabled checkbox: {attributes}")
        for name, value in attributes.items():
            if name.startswith("on"):
                problems.append(f"event handler {name} on <{tag}>")
            if name in ("srcdoc", "target", "xmlns:xlink") or name.startswith("xlink"):
                problems.append(f"attribute {name} on <{tag}>")
            if name == "style" and re.search(r"url\(|expression|javascript|position|behavior", value, re.I):
                problems.append(f"style {value!r} on <{tag}>")
            if name == "class":
                foreign = [name for name in value.split() if not OWN_CLASS_RE.match(name)]
                if foreign:
                    problems.append(f"foreign classes {foreign} on <{tag}>")
            if name in URL_ATTRIBUTES:
                url = browser_url(value).lower()
                scheme = SCHEME_RE.match(url)
                if scheme is None:
                    continue  # relative URL
                if (
                    scheme.group(1) == "data"
                    and tag == "img"
                    and name == "src"
                    and SAFE_DATA_IMAGE.match(url)
                ):
                    continue
                if scheme.group(1) not in SAFE_SCHEMES:
                    problems.append(f"{name}={value!r} on <{tag}>")
            if tag.startswith("m") and tag not in ("mark", "menu") and name in ("href", "src"):
                problems.append(f"{name} on MathML <{tag}>")
    return problems


def test_there_are_at_least_a_hundred_vectors():
    assert len(VECTORS) >= 100


@pytest.mark.parametrize("inline_styles", [False, True], ids=["page", "feed"])
@pytest.mark.parametrize("markdown", list(VECTORS.values()), ids=list(VECTORS))
def test_nothing_executable_survives(markdown, inline_styles):
    html = render_markdown(markdown, inline_styles=inline_styles)
    assert problems_in(html) == [], html


@pytest.mark.parametrize("inline_styles", [False, True], ids=["page", "feed"])
def test_every_vector_in_one_post(inline_styles):
    """Vectors can interact (an unclosed tag from one swallowing the next); try them all at once."""
    html = render_markdown("\n\n".join(VECTORS.values()), inline_styles=inline_styles)
    assert problems_in(html) == []


# --- the checker and the sanitizer are not simply deleting everything -------------------------


def test_checker_catches_what_it_should():
    assert problems_in('<a href="java\tscript:alert(1)">x</a>')
    assert problems_in('<img src="x" onerror="alert(1)">')
    assert problems_in('<img src="data:image/svg+xml,x">')
    assert problems_in("<math><mi href='https://x'>x</mi></math>")
    assert problems_in('<input type="text">')
    assert problems_in('<div class="site-header">')
    assert not problems_in('<a href="https://x.example/">x</a><img src="data:image/png;base64,AAAA">')


def test_safe_content_survives_the_sanitizer():
    html = render_markdown(
        "[site](https://example.com/a?b=1&c=2) [mail](mailto:a@example.com) [page](/about/)\n\n"
        "![png](data:image/png;base64,iVBORw0KGgo=) ![photo](https://example.com/p.jpg)\n\n"
        '<kbd>Ctrl</kbd> <abbr title="Key-Value">KV</abbr> <sub>1</sub><sup>2</sup> <mark>hi</mark>\n\n'
        "<details><summary>更多</summary>\n\n隐藏内容\n\n</details>\n\n"
        "$\\mathbb{R}^{n}$ and `code`"
    )
    assert 'href="https://example.com/a?b=1&amp;c=2"' in html
    assert 'href="mailto:a@example.com"' in html
    assert 'href="/about/"' in html
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in html
    assert 'src="https://example.com/p.jpg"' in html
    for fragment in (
        "<kbd>Ctrl</kbd>",
        '<abbr title="Key-Value">KV</abbr>',
        "<sub>1</sub>",
        "<mark>hi</mark>",
    ):
        assert fragment in html
    assert "<details><summary>更多</summary>" in html
    assert "<math" in html and "<msup>" in html
    assert "<code>code</code>" in html


def test_raw_html_classes_are_filtered_not_the_ones_we_emit():
    html = render_markdown('<span class="k site-header">x</span>\n\n```python\nimport os\n```')
    assert '<span class="k">x</span>' in html
    assert "site-header" not in html
    assert '<span class="kn">import</span>' in html
