"""TeX to MathML conversion for posts, done on the server with latex2mathml.

The browser receives MathML (no JavaScript, nothing to fetch), with the TeX source
kept in an ``<annotation>`` so readers can copy it and feeds can show it. A formula
that cannot be converted becomes a visible error box holding its escaped source; one
broken formula never stops the rest of the post from rendering.
"""

from __future__ import annotations

import functools
import re
from html import escape
from xml.etree.ElementTree import Element

from latex2mathml.converter import Converter
from latex2mathml.symbols_parser import convert_symbol
from math_core import LatexError, LatexToMathML

# A formula longer than this is shown as an error instead of converted: conversion
# time grows with length, and the admin preview renders on every keystroke.
MAX_TEX_LENGTH = 5000

# latex2mathml only understands the amsmath environments that are tables in MathML
# (align*, split, cases, matrices, array). The top-level display environments that
# posts use are rewritten to one of those, unnumbered: latex2mathml counts per formula,
# so "(1)" would repeat in every block. blog.markdown numbers equations across the post.
_ENVIRONMENT_REWRITES = {
    "equation": None,  # None: drop \begin/\end and keep the body
    "equation*": None,
    "displaymath": None,
    "subequations": None,
    "align": "align*",
    "align*": "align*",
    "aligned": "align*",
    "eqnarray": "align*",
    "eqnarray*": "align*",
    "flalign": "align*",
    "flalign*": "align*",
    "alignat": "align*",
    "alignat*": "align*",
    "alignedat": "align*",
    "gather": "gather",
    "gather*": "gather",
    "gathered": "gather",
    "multline": "gather",
    "multline*": "gather",
    "dcases": "cases",
    "rcases": "cases",
    "split": "split",
}
# alignat and friends take a column count ({2}) that the rewritten form does not.
_ENVIRONMENT_RE = re.compile(
    r"\\(begin|end)\s*\{(" + "|".join(re.escape(name) for name in _ENVIRONMENT_REWRITES) + r")\}"
    r"(?:\s*\{\d+\})?"
)

# Operators that ML papers declare with \DeclareMathOperator in their preamble; a
# blog post has no preamble, so the usual ones are predeclared here.
_DECLARED_OPERATORS = (
    "Tr",
    "tr",
    "diag",
    "rank",
    "sgn",
    "sign",
    "Var",
    "Cov",
    "Corr",
    "softmax",
    "logit",
    "ReLU",
    "GELU",
    "KL",
    "supp",
    "erf",
    "dom",
    "proj",
    "prox",
    "relint",
    "conv",
    "Span",
    "span",
    "Img",
    "im",
)
_DECLARED_OPERATOR_RE = re.compile(
    r"\\(" + "|".join(sorted(_DECLARED_OPERATORS, key=len, reverse=True)) + r")(?![A-Za-z])"
)
# A formula that defines a macro itself wins over a predeclared one of that name.
_MACRO_DEFINITION_RE = re.compile(
    r"\\(?:DeclareMathOperator\*?|newcommand|renewcommand|def)\s*\{?\\([A-Za-z]+)"
)

# Command spellings that latex2mathml lacks, mapped to ones it knows.
_COMMAND_REWRITES = {
    r"\operatorname*{arg\,max}": r"\argmax",
    r"\operatorname*{arg\,min}": r"\argmin",
    r"\operatorname*{argmax}": r"\argmax",
    r"\operatorname*{argmin}": r"\argmin",
    r"\operatorname{arg\,max}": r"\argmax",
    r"\operatorname{arg\,min}": r"\argmin",
    r"\arg\max": r"\argmax",
    r"\arg\min": r"\argmin",
    r"\mathds": r"\mathbb",
    r"\mathbbm": r"\mathbb",
    r"\bold": r"\mathbf",
    r"\dif": r"\mathrm{d}",
    r"\lparen": "(",
    r"\rparen": ")",
    r"\lbrack": "[",
    r"\rbrack": "]",
    r"\eqdef": r"\stackrel{\text{def}}{=}",
    r"\defeq": r"\coloneqq",
    r"\iid": r"\stackrel{\text{i.i.d.}}{\sim}",
    r"\mathnormal": r"\mathit",
    r"\textsc": r"\text",
    r"\dd": r"\mathrm{d}",
    r"\ensuremath": "",
    r"\E": r"\mathbb{E}",  # the expectation macro nearly every ML paper defines
    r"\symbf": r"\boldsymbol",
}
_COMMAND_REWRITE_RE = re.compile(
    "|".join(
        re.escape(command) + (r"(?![A-Za-z])" if command[-1].isalpha() else "")
        for command in sorted(_COMMAND_REWRITES, key=len, reverse=True)
    )
)

# Commands that only matter to LaTeX's page layout and have no MathML meaning.
_DROPPED_COMMAND_RE = re.compile(
    r"\\(?:label|notag|nonumber|allowbreak|nobreak|displaybreak|intertext\*?)(?![A-Za-z])"
    r"(?:\s*\{[^{}]*\})?"
)

# latex2mathml turns \mathrm{d} into a plain <mi>d</mi>, which browsers draw in
# italics; doubling the braces sends it down the path that sets mathvariant="normal".
_SINGLE_LETTER_UPRIGHT_RE = re.compile(r"\\(mathrm|textrm|mathup|mathsf|mathtt)\s*\{([A-Za-z])\}")

# A leaf whose text is still a backslash command means latex2mathml printed it
# verbatim. Its \big family does that even for known delimiters (\bigl\langle), so
# those are looked up here; anything else is an unknown command the author should see.
_UNCONVERTED_COMMAND_RE = re.compile(r"^\\(?:[A-Za-z]+\*?|[^A-Za-z\s])$")

# latex2mathml writes symbols as "&#x...;" text and relies on unescaping the whole
# document afterwards, which would also unescape a "<" typed in \text{}. Only these
# numeric references are restored after a normal, escaping serialisation.
_ESCAPED_CHAR_REFERENCE_RE = re.compile(r"&amp;(#x[0-9A-Fa-f]{1,6};)")

# Converted formulas are kept by (tex, display). The admin preview re-renders the
# whole post on every keystroke and a re-save re-renders it all, while only a formula
# or two changed; bench/render.py reports figures with this cache cleared too.
FORMULA_CACHE_SIZE = 4096

# Messages for latex2mathml's exception classes, keyed by class name so that a new
# library version with extra classes still falls back to a generic message.
_ERROR_MESSAGES = {
    "NumeratorNotFoundError": "\\frac needs a numerator: write \\frac{a}{b}.",
    "DenominatorNotFoundError": "\\frac needs a denominator: write \\frac{a}{b}.",
    "ExtraLeftOrMissingRightError": "Every \\left needs a matching \\right (use \\right. for none).",
    "MissingSuperScriptOrSubscriptError": "^ or _ has nothing after it.",
    "DoubleSubscriptsError": "Double subscript: group it as x_{a_b}.",
    "DoubleSuperscriptsError": "Double superscript: group it as x^{a^b}.",
    "NoAvailableTokensError": "The formula ends too early; check for an unclosed brace.",
    "InvalidStyleForGenfracError": "\\genfrac has an invalid style argument.",
    "MissingEndError": "An environment is missing its \\end{...}.",
    "InvalidAlignmentError": "The column alignment of this array is invalid.",
    "InvalidWidthError": "A width or space has an invalid unit.",
    "LimitsMustFollowMathOperatorError": "\\limits must follow an operator such as \\sum.",
    "RecursionError": "The formula is nested too deeply.",
}


class TexConversionError(ValueError):
    """Raised by :func:`convert_tex` when TeX cannot be turned into MathML."""


def _rewrite_environment(match: re.Match[str]) -> str:
    replacement = _ENVIRONMENT_REWRITES[match.group(2)]
    if replacement is None:
        return " "
    if replacement == "gather":
        # latex2mathml has no gather; \displaylines is its centred-rows equivalent.
        return r"\displaylines{" if match.group(1) == "begin" else "}"
    return "\\" + match.group(1) + "{" + replacement + "}"


def normalize_tex(tex: str) -> str:
    """Return ``tex`` rewritten into the dialect latex2mathml understands."""
    if "\\" not in tex:
        return tex
    defined_here = set(_MACRO_DEFINITION_RE.findall(tex))
    tex = _COMMAND_REWRITE_RE.sub(
        lambda match: (
            match.group(0) if match.group(0)[1:] in defined_here else _COMMAND_REWRITES[match.group(0)]
        ),
        tex,
    )
    tex = _DECLARED_OPERATOR_RE.sub(
        lambda match: (
            match.group(0) if match.group(1) in defined_here else "\\operatorname{" + match.group(1) + "}"
        ),
        tex,
    )
    tex = _DROPPED_COMMAND_RE.sub(" ", tex)
    tex = _SINGLE_LETTER_UPRIGHT_RE.sub(r"\\\1{{\2}}", tex)
    if "\\begin" in tex:
        tex = _ENVIRONMENT_RE.sub(_rewrite_environment, tex)
    return tex


def _resolve_verbatim_commands(element: Element) -> str | None:
    """Turn verbatim delimiter commands into characters; return the first unknown one."""
    for node in element.iter():
        text = node.text
        if text and text[0] == "\\" and _UNCONVERTED_COMMAND_RE.match(text):
            code_point = convert_symbol(text)
            if code_point is None:
                return text
            node.text = f"&#x{code_point};"
    return None


def convert_tex(tex: str, display: bool) -> str:
    """Return MathML for ``tex``, or raise TexConversionError saying what to fix.

    The ``<math>`` element holds ``<semantics>`` with the original TeX as an
    ``application/x-tex`` annotation.
    """
    if len(tex) > MAX_TEX_LENGTH:
        raise TexConversionError(
            f"The formula is longer than {MAX_TEX_LENGTH} characters; split it into several."
        )
    fast = _convert_with_math_core(tex, display)
    if fast is not None:
        return fast
    converter = Converter(display="block" if display else "inline")
    try:
        converted = converter.convert_to_element(normalize_tex(tex))
    except Exception as error:  # latex2mathml raises bare IndexError, StopIteration, …
        name = type(error).__name__
        message = _ERROR_MESSAGES.get(name, f"latex2mathml could not read this formula ({name}).")
        raise TexConversionError(message) from error
    unknown = _resolve_verbatim_commands(converted)
    if unknown is not None:
        raise TexConversionError(
            f"Unknown command {unknown}: check its spelling, or define it in the formula with \\newcommand."
        )

    parts = [f'<math display="{"block" if display else "inline"}"><semantics>']
    for child in converted:
        _serialize(child, parts)
    parts.append('<annotation encoding="application/x-tex">')
    parts.append(escape(tex, quote=False))
    parts.append("</annotation></semantics></math>")
    return _ESCAPED_CHAR_REFERENCE_RE.sub(r"&\1", "".join(parts))


_MATH_CORE = LatexToMathML()
_MATH_OPEN_RE = re.compile(r"^<math\b[^>]*>")


def _convert_with_math_core(tex: str, display: bool) -> str | None:
    """MathML from math-core (Rust, ~50x faster than latex2mathml), or None where it fails.

    It gets the normalized TeX (numbered environments rewritten to unnumbered ones; the
    numbers are blog.markdown's, counted across the post). Whatever it cannot read falls through to
    latex2mathml, whose coverage and error messages the rest of this module is built around.
    """
    for candidate in (normalize_tex(tex),):
        try:
            converted = _MATH_CORE.convert_with_local_state(candidate, displaystyle=display)
        except LatexError:
            continue
        opening = _MATH_OPEN_RE.match(converted)
        if opening is None or not converted.endswith("</math>"):
            return None
        inner = converted[opening.end() : -len("</math>")]
        return (
            f'<math display="{"block" if display else "inline"}"><semantics><mrow>{inner}</mrow>'
            f'<annotation encoding="application/x-tex">{escape(tex, quote=False)}</annotation>'
            "</semantics></math>"
        )
    return None


def _serialize(node: Element, parts: list[str]) -> None:
    # ElementTree.tostring does the same job with namespace bookkeeping MathML in HTML
    # does not need, at three times the cost; it is a third of the time per formula.
    parts.append("<" + node.tag)
    for name, value in node.attrib.items():
        parts.append(f' {name}="{escape(value)}"')
    parts.append(">")
    if node.text:
        parts.append(escape(node.text, quote=False))
    for child in node:
        _serialize(child, parts)
    parts.append(f"</{node.tag}>")
    if node.tail:
        parts.append(escape(node.tail, quote=False))


def render_tex_error(tex: str, message: str, display: bool) -> str:
    """Return the HTML box that stands in for a formula that failed to convert."""
    delimiter = "$$" if display else "$"
    return (
        f'<span class="math-error" title="{escape(message)}">'
        f"{escape(delimiter + tex + delimiter, quote=False)}</span>"
    )


@functools.lru_cache(maxsize=FORMULA_CACHE_SIZE)
def tex_to_mathml(tex: str, display: bool) -> str:
    """Return MathML for ``tex``, or an escaped error box if it cannot be converted.

    Never raises: a post with one bad formula still renders everywhere else. Results
    are cached; ``tex_to_mathml.cache_clear()`` empties the cache.
    """
    try:
        return convert_tex(tex, display)
    except TexConversionError as error:
        return render_tex_error(tex, str(error), display)
