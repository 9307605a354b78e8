"""TeX to MathML conversion for posts, done on the server with latex2mathml.

The browser receives MathML (no JavaScript, nothing to fetch), with the TeX source
kept in an ``<annotation>`` so readers can copy it and feeds can show it. A formula
that cannot be converted becomes a visible error box holding its escaped source; one
broken formula never stops the rest of the post from rendering.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from typing import NamedTuple
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
# Inside text a command may sit among words ("\foo x"): anywhere in an <mtext> it is one
# the text typesetting below left alone and the converter did not know either.
_COMMAND_IN_TEXT_RE = re.compile(r"\\(?:[A-Za-z]+|[^A-Za-z\s])")
_MTEXT_CONTENT_RE = re.compile(r"<mtext\b[^>]*>(.*?)</mtext>", re.DOTALL)

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


# --- text mode ---------------------------------------------------------------------------
#
# The argument of \text, \mbox, \textbf, … is LaTeX text, where \it switches to italic,
# \emph{…} emphasises and $…$ is math again. Neither converter reads it as LaTeX does:
# math-core rejects declarations (\it, \bf) and math inside text, and wraps the styles it
# knows in HTML (<b>, <i>) rather than MathML; latex2mathml copies the whole argument into
# an <mtext> verbatim, "\it" and all. So text is typeset here, once, into runs of one style
# each. The converters see a one-character stand-in per run, which they copy into a token
# element that is then replaced by the run's own <mtext mathvariant="…">; math inside the
# text goes back to them as math. An argument this does not understand is left as written:
# math-core may know it, and if a command ends up verbatim in an <mtext> the formula is
# reported as an error rather than shown as raw TeX.


class _TextStyle(NamedTuple):
    family: str = "rm"  # "rm", "sf" or "tt"
    bold: bool = False
    italic: bool = False


_UPRIGHT_TEXT = _TextStyle()


def _set_style(**changes: object) -> Callable[[_TextStyle], _TextStyle]:
    return lambda style: style._replace(**changes)


def _reset_style(**changes: object) -> Callable[[_TextStyle], _TextStyle]:
    return lambda style: _UPRIGHT_TEXT._replace(**changes)


def _emphasize(style: _TextStyle) -> _TextStyle:
    # As in LaTeX, emphasis inside italic text is upright.
    return style._replace(italic=not style.italic)


# Declarations change the style until the end of the enclosing group.
_TEXT_DECLARATIONS: dict[str, Callable[[_TextStyle], _TextStyle]] = {
    "itshape": _set_style(italic=True),
    "slshape": _set_style(italic=True),
    "upshape": _set_style(italic=False),
    "bfseries": _set_style(bold=True),
    "mdseries": _set_style(bold=False),
    "rmfamily": _set_style(family="rm"),
    "sffamily": _set_style(family="sf"),
    "ttfamily": _set_style(family="tt"),
    "normalfont": _reset_style(),
    "em": _emphasize,
    # The LaTeX 2.09 two-letter forms reset the rest: {\bf\it x} is italic, not bold italic.
    "it": _reset_style(italic=True),
    "sl": _reset_style(italic=True),
    "bf": _reset_style(bold=True),
    "rm": _reset_style(),
    "sf": _reset_style(family="sf"),
    "tt": _reset_style(family="tt"),
    # MathML has no small capitals; the letters stay as typed.
    "scshape": _set_style(),
    "sc": _reset_style(),
}
# Commands whose argument is text in a changed style. In math, these are where text starts.
_TEXT_FONT_COMMANDS: dict[str, Callable[[_TextStyle], _TextStyle]] = {
    "text": _set_style(),
    "mbox": _set_style(),
    "hbox": _set_style(),
    "textsc": _set_style(),
    "textit": _set_style(italic=True),
    "textsl": _set_style(italic=True),
    "textup": _set_style(italic=False),
    "textbf": _set_style(bold=True),
    "textmd": _set_style(bold=False),
    "textrm": _set_style(family="rm"),
    "textsf": _set_style(family="sf"),
    "texttt": _set_style(family="tt"),
    "textnormal": _reset_style(),
    "emph": _emphasize,
}
_MATHVARIANTS = {
    _TextStyle("rm", False, False): None,
    _TextStyle("rm", True, False): "bold",
    _TextStyle("rm", False, True): "italic",
    _TextStyle("rm", True, True): "bold-italic",
    _TextStyle("sf", False, False): "sans-serif",
    _TextStyle("sf", True, False): "bold-sans-serif",
    _TextStyle("sf", False, True): "sans-serif-italic",
    _TextStyle("sf", True, True): "sans-serif-bold-italic",
}
_TEXT_SYMBOLS = {
    "{": "{", "}": "}", "$": "$", "%": "%", "&": "&", "#": "#", "_": "_",
    " ": " ", "\n": " ", "\\": " ",  # a line break cannot happen inside a formula
    ",": "\u2009", ":": "\u2005", ";": "\u2005", ">": "\u2005", "!": "",
    "quad": "\u2003", "qquad": "\u2003\u2003", "enspace": "\u2002", "thinspace": "\u2009",
    "textbackslash": "\\", "textasciitilde": "~", "textasciicircum": "^",
    "textunderscore": "_", "textbar": "|", "textless": "<", "textgreater": ">",
    "ldots": "\u2026", "dots": "\u2026", "textellipsis": "\u2026",
    "S": "\u00a7", "P": "\u00b6", "dag": "\u2020", "ddag": "\u2021",
    "textdagger": "\u2020", "textdaggerdbl": "\u2021", "textbullet": "\u2022",
    "textperiodcentered": "\u00b7", "textendash": "\u2013", "textemdash": "\u2014",
    "textquoteleft": "\u2018", "textquoteright": "\u2019",
    "textquotedblleft": "\u201c", "textquotedblright": "\u201d",
    "copyright": "\u00a9", "textcopyright": "\u00a9", "textregistered": "\u00ae",
    "texttrademark": "\u2122", "textdegree": "\u00b0", "pounds": "\u00a3", "texteuro": "\u20ac",
    "ss": "\u00df", "ae": "\u00e6", "AE": "\u00c6", "oe": "\u0153", "OE": "\u0152",
    "o": "\u00f8", "O": "\u00d8", "aa": "\u00e5", "AA": "\u00c5", "l": "\u0142", "L": "\u0141",
    "i": "\u0131", "j": "\u0237", "TeX": "TeX", "LaTeX": "LaTeX",
}  # fmt: skip
# Accent commands and the combining character each puts on its argument: \"o is ö.
_TEXT_ACCENTS = {
    '"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "r": "\u030a", "c": "\u0327",
    "k": "\u0328", "d": "\u0323", "b": "\u0331",
}  # fmt: skip
# TeX's ligatures in text: -- and --- are dashes, `` and '' are curly quotes.
_TEXT_LIGATURES = (
    ("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"), ("''", "\u201d"),
    ("`", "\u2018"), ("'", "\u2019"), ("-", "-"),
)  # fmt: skip
# Characters that are errors in LaTeX text mode (or a comment, %); left to the converters.
_NOT_TEXT = set("^_&#%")

_TEXT_COMMAND_RE = re.compile(r"\\(?:text[a-z]*|mbox|hbox|emph)(?![A-Za-z])")
# One stand-in character per run, from the Private Use Area, which no formula needs; a
# formula that already holds one is left to the converters untouched.
_STAND_IN_FIRST = 0xE000
_STAND_IN_LAST = 0xF8FF
_STAND_IN_RE = re.compile(f"[{chr(_STAND_IN_FIRST)}-{chr(_STAND_IN_LAST)}]")
_STAND_IN_TOKEN_RE = re.compile(rf"<(mtext|mi)\b[^>]*>([{chr(_STAND_IN_FIRST)}-{chr(_STAND_IN_LAST)}])</\1>")


@dataclass(frozen=True)
class _TextRun:
    mathvariant: str | None
    text: str

    def to_mathml(self) -> str:
        attribute = f' mathvariant="{self.mathvariant}"' if self.mathvariant else ""
        return f"<mtext{attribute}>{escape(self.text, quote=False)}</mtext>"


@dataclass
class _TypesetText:
    """The text runs of one formula, and the first command in its text that was not understood."""

    runs: list[_TextRun] = field(default_factory=list)
    unknown_command: str | None = None


def _circled(text: str) -> str:
    """Return ⓐ for "a", Ⓐ for "A", ① … ⑳ for 1 … 20 and ⓪ for 0; anything else as it is."""
    if len(text) == 1 and "a" <= text <= "z":
        return chr(0x24D0 + ord(text) - ord("a"))
    if len(text) == 1 and "A" <= text <= "Z":
        return chr(0x24B6 + ord(text) - ord("A"))
    if text.isascii() and text.isdigit() and int(text) <= 20:
        return "\u24ea" if int(text) == 0 else chr(0x2460 + int(text) - 1)
    return text


def _read_control_sequence(source: str, start: int) -> tuple[str, int]:
    """Return the name of the control sequence at ``source[start]`` (a backslash) and its end."""
    end = start + 1
    while end < len(source) and source[end].isascii() and source[end].isalpha():
        end += 1
    if end == start + 1 and end < len(source):
        end += 1  # a control symbol: \$, \{, \,, \"
    return source[start + 1 : end], end


def _closing_brace(source: str, opening: int) -> int:
    """Return the index of the "}" that closes the "{" at ``opening``, or -1."""
    depth, position = 0, opening
    while position < len(source):
        character = source[position]
        if character == "\\":
            position += 2
            continue
        if character == "{":
            depth += 1
        elif character == "}":
            depth -= 1
            if depth == 0:
                return position
        position += 1
    return -1


def _read_argument(source: str, start: int) -> tuple[str | None, int]:
    """Return a command's argument at ``start`` (a {group}, a command or a character) and its end."""
    while start < len(source) and source[start].isspace():
        start += 1
    if start >= len(source) or source[start] == "}":
        return None, start
    if source[start] == "{":
        end = _closing_brace(source, start)
        return (None, start) if end < 0 else (source[start + 1 : end], end + 1)
    if source[start] == "\\":
        name, end = _read_control_sequence(source, start)
        argument = source[start:end]
        if name.isalpha():  # TeX drops the spaces after a control word
            while end < len(source) and source[end].isspace():
                end += 1
        return argument, end
    return source[start], start + 1


def _closing_dollar(source: str, start: int, delimiter: str) -> int:
    """Return the index of the ``delimiter`` ("$" or "$$") that ends math begun before ``start``, or -1."""
    position = start
    while position < len(source):
        if source[position] == "\\":
            position += 2
        elif source.startswith(delimiter, position):
            return position
        else:
            position += 1
    return -1


class _TextTypesetter:
    """Typesets LaTeX text into runs of one style, collecting the TeX the converters see."""

    def __init__(self, typeset: _TypesetText) -> None:
        self.typeset_text = typeset
        self.runs = typeset.runs
        self.pieces: list[str] = []  # stand-ins and math, in order
        self._pending: list[str] = []
        self._pending_variant: str | None = None

    def emit(self, text: str, style: _TextStyle) -> None:
        variant = "monospace" if style.family == "tt" else _MATHVARIANTS[style]
        if self._pending and variant != self._pending_variant:
            self.flush()
        self._pending.append(text)
        self._pending_variant = variant

    def flush(self) -> None:
        text = "".join(self._pending)
        self._pending = []
        if not text:
            return
        # Browsers trim the edges of a token element, which would glue "if" to the math after it.
        if text[0] == " ":
            text = "\u00a0" + text[1:]
        if text[-1] == " ":
            text = text[:-1] + "\u00a0"
        self.runs.append(_TextRun(self._pending_variant, text))
        self.pieces.append("\\text{" + chr(_STAND_IN_FIRST + len(self.runs) - 1) + "}")

    def math(self, tex: str) -> None:
        self.flush()
        self.pieces.append("{" + _typeset_text_commands(tex, self.typeset_text) + "}")

    def typeset(self, source: str, style: _TextStyle) -> bool:
        """Typeset ``source`` in ``style``; False if it holds something this cannot read."""
        outer_styles: list[_TextStyle] = []
        position = 0
        while position < len(source):
            character = source[position]
            if character == "\\":
                name, position = _read_control_sequence(source, position)
                if name.isalpha():  # TeX drops the spaces after a control word
                    while position < len(source) and source[position].isspace():
                        position += 1
                if name in _TEXT_DECLARATIONS:
                    style = _TEXT_DECLARATIONS[name](style)
                elif name in _TEXT_FONT_COMMANDS or name in _TEXT_ACCENTS or name == "textcircled":
                    argument, position = _read_argument(source, position)
                    if argument is None or not self._typeset_argument(name, argument, style):
                        return False
                elif name in _TEXT_SYMBOLS:
                    self.emit(_TEXT_SYMBOLS[name], style)
                elif name == "(":
                    end = source.find("\\)", position)
                    if end < 0:
                        return False
                    self.math(source[position:end])
                    position = end + 2
                else:
                    if self.typeset_text.unknown_command is None:
                        self.typeset_text.unknown_command = "\\" + name
                    return False
                continue
            if character == "{":
                outer_styles.append(style)
            elif character == "}":
                if not outer_styles:
                    return False
                style = outer_styles.pop()
            elif character == "$":
                delimiter = "$$" if source.startswith("$$", position) else "$"
                end = _closing_dollar(source, position + len(delimiter), delimiter)
                if end < 0:
                    return False
                self.math(source[position + len(delimiter) : end])
                position = end + len(delimiter)
                continue
            elif character in _NOT_TEXT:
                return False
            elif character.isspace():
                while position + 1 < len(source) and source[position + 1].isspace():
                    position += 1
                self.emit(" ", style)
            elif character == "~":
                self.emit("\u00a0", style)
            elif character in "-`'":
                ligature = next(pair for pair in _TEXT_LIGATURES if source.startswith(pair[0], position))
                self.emit(ligature[1], style)
                position += len(ligature[0])
                continue
            else:
                self.emit(character, style)
            position += 1
        return not outer_styles

    def _typeset_argument(self, name: str, argument: str, style: _TextStyle) -> bool:
        if name in _TEXT_FONT_COMMANDS:
            return self.typeset(argument, _TEXT_FONT_COMMANDS[name](style))
        argument = argument.strip()
        if argument in ("\\i", "\\j", "{\\i}", "{\\j}"):
            # \'\i is í: the accent takes the dot's place, which is what NFC does with "i".
            argument = argument.strip("{}")[1]
        if "\\" in argument or "{" in argument or "$" in argument:
            return False
        if name == "textcircled":
            self.emit(_circled(argument), style)
            return True
        if len(argument) != 1:
            return False
        self.emit(unicodedata.normalize("NFC", argument + _TEXT_ACCENTS[name]), style)
        return True


def _typeset_text_commands(tex: str, typeset: _TypesetText) -> str:
    """Return ``tex`` with each text command it can read replaced by stand-ins for its runs."""
    parts, copied, position = [], 0, 0
    while True:
        position = tex.find("\\", position)
        if position < 0:
            break
        command = position
        name, position = _read_control_sequence(tex, position)
        if name not in _TEXT_FONT_COMMANDS and name != "textcircled":
            continue
        argument, end = _read_argument(tex, position)
        if argument is None:
            continue
        known_runs = len(typeset.runs)
        typesetter = _TextTypesetter(typeset)
        if not typesetter.typeset(tex[command:end], _UPRIGHT_TEXT):
            del typeset.runs[known_runs:]
            continue
        typesetter.flush()
        pieces = typesetter.pieces
        parts.append(tex[copied:command])
        # One group, so that x^\text{a $b$} keeps all of it in the superscript.
        parts.append(pieces[0] if len(pieces) == 1 else "{" + "".join(pieces) + "}")
        copied = position = end
    parts.append(tex[copied:])
    return "".join(parts)


def _stand_in_text(tex: str) -> tuple[str, _TypesetText]:
    """Return ``tex`` with its text commands replaced by stand-ins, and the runs they stand for."""
    typeset = _TypesetText()
    if not _TEXT_COMMAND_RE.search(tex) or _STAND_IN_RE.search(tex):
        return tex, typeset
    try:
        prepared = _typeset_text_commands(tex, typeset)
    except RecursionError:  # \text{$\text{$…$}$} nested hundreds deep: left to the converters
        return tex, _TypesetText()
    if len(typeset.runs) > _STAND_IN_LAST - _STAND_IN_FIRST:
        return tex, _TypesetText()
    return prepared, typeset


def _put_back_text_runs(mathml: str, runs: list[_TextRun]) -> str:
    """Replace each stand-in's token element in converted MathML by its run's ``<mtext>``."""
    if not runs:  # a private-use character the author typed is theirs, not a stand-in
        return mathml
    return _STAND_IN_TOKEN_RE.sub(
        lambda match: runs[ord(match.group(2)) - _STAND_IN_FIRST].to_mathml(), mathml
    )


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
        if not text or "\\" not in text:
            continue
        if text[0] == "\\" and _UNCONVERTED_COMMAND_RE.match(text):
            code_point = convert_symbol(text)
            if code_point is None:
                return text
            node.text = f"&#x{code_point};"
        elif node.tag == "mtext" and (command := _COMMAND_IN_TEXT_RE.search(text)):
            return command.group(0)
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
    prepared, text = _stand_in_text(normalize_tex(tex))
    fast = _convert_with_math_core(prepared, tex, display, text.runs)
    if fast is not None:
        return fast
    converter = Converter(display="block" if display else "inline")
    try:
        converted = converter.convert_to_element(prepared)
    except Exception as error:  # latex2mathml raises bare IndexError, StopIteration, …
        name = type(error).__name__
        message = _ERROR_MESSAGES.get(name, f"latex2mathml could not read this formula ({name}).")
        raise TexConversionError(message) from error
    unknown = _resolve_verbatim_commands(converted)
    if unknown is not None:
        # A text argument that was not understood is copied whole, "\it a \foo": name the culprit.
        unknown = text.unknown_command or unknown
        raise TexConversionError(
            f"Unknown command {unknown}: check its spelling, or define it in the formula with \\newcommand."
        )

    parts = [f'<math display="{"block" if display else "inline"}"><semantics>']
    for child in converted:
        _serialize(child, parts)
    parts.append('<annotation encoding="application/x-tex">')
    parts.append(escape(tex, quote=False))
    parts.append("</annotation></semantics></math>")
    mathml = _put_back_text_runs(_ESCAPED_CHAR_REFERENCE_RE.sub(r"&\1", "".join(parts)), text.runs)
    if text.runs and _STAND_IN_RE.search(mathml):
        raise TexConversionError(
            "latex2mathml could not place the text in this formula; try it outside \\text{}."
        )
    return mathml


_MATH_CORE = LatexToMathML()
_MATH_OPEN_RE = re.compile(r"^<math\b[^>]*>")


def _convert_with_math_core(prepared: str, tex: str, display: bool, text_runs: list[_TextRun]) -> str | None:
    """MathML from math-core (Rust, ~50x faster than latex2mathml), or None where it fails.

    It gets the prepared TeX: normalized (numbered environments rewritten to unnumbered
    ones; the numbers are blog.markdown's, counted across the post), with text commands
    replaced by stand-ins for ``text_runs``. Whatever it cannot read falls through to
    latex2mathml, whose coverage and error messages the rest of this module is built around.
    """
    try:
        converted = _MATH_CORE.convert_with_local_state(prepared, displaystyle=display)
    except LatexError:
        return None
    opening = _MATH_OPEN_RE.match(converted)
    if opening is None or not converted.endswith("</math>"):
        return None
    inner = converted[opening.end() : -len("</math>")]
    if any(_COMMAND_IN_TEXT_RE.search(text.group(1)) for text in _MTEXT_CONTENT_RE.finditer(inner)):
        return None  # a command copied into text verbatim; latex2mathml names it in an error
    inner = _put_back_text_runs(inner, text_runs)
    if text_runs and _STAND_IN_RE.search(inner):
        return None
    return (
        f'<math display="{"block" if display else "inline"}"><semantics><mrow>{inner}</mrow>'
        f'<annotation encoding="application/x-tex">{escape(tex, quote=False)}</annotation>'
        "</semantics></math>"
    )


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


def _split_text_and_math(text: str) -> list[tuple[str, bool]]:
    """Split LaTeX text at its top-level ``$…$``: (piece, is_math) pairs, empty pieces left out."""
    pieces, start, depth, position = [], 0, 0, 0
    while position < len(text):
        character = text[position]
        if character == "\\":
            position += 2
            continue
        if character == "{":
            depth += 1
        elif character == "}":
            depth -= 1
        elif character == "$" and depth == 0:
            delimiter = "$$" if text.startswith("$$", position) else "$"
            end = _closing_dollar(text, position + len(delimiter), delimiter)
            if end < 0:
                break  # an unclosed "$" stays text
            pieces.append((text[start:position], False))
            pieces.append((text[position + len(delimiter) : end], True))
            position = start = end + len(delimiter)
            continue
        position += 1
    pieces.append((text[start:], False))
    return [(piece, is_math) for piece, is_math in pieces if (piece.strip() if is_math else piece)]


@functools.lru_cache(maxsize=256)
def tex_text_to_html(text: str) -> str:
    """Return HTML for LaTeX text such as a \\tag's argument: words as text, ``$…$`` as MathML.

    Never raises: math that cannot be converted becomes its error box, as it would in a post.
    """
    parts = []
    for piece, is_math in _split_text_and_math(text):
        if is_math:
            parts.append(tex_to_mathml(piece.strip(), display=False))
        elif "\\" in piece or "{" in piece:  # \textbf{A}: typeset, as in \text{} in a formula
            try:
                parts.append(convert_tex("\\text{" + piece + "}", display=False))
            except TexConversionError as error:
                message, source = escape(str(error)), escape(piece, quote=False)
                parts.append(f'<span class="math-error" title="{message}">{source}</span>')
        else:
            parts.append(escape(piece, quote=False))
    return "".join(parts)
