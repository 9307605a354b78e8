r"""What the editor's preview warns about in a post's formulas: references that show "(??)".

The renderer (blog.markdown) numbers only numbered environments (equation, align, …) and
formulas with \tag, as LaTeX does, and prints "??" for a reference it cannot resolve, as LaTeX
does. LaTeX also warns in its log; the admin has no log, so the preview says it instead, and
says why: most often the \label sits in a plain $$…$$ formula, which has no number to refer to.
"""

import html
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

# The renderer's mark of a reference it could not resolve; the key is in the title attribute.
_UNRESOLVED_REFERENCE_RE = re.compile(r'<span class="equation-ref" title="([^"]*)">\(?\?\?\)?</span>')
_LABEL_RE = re.compile(r"\\label\s*\{([^{}]*)\}")


@dataclass(frozen=True)
class MathWarning:
    """One thing the author should fix, and the reference key it is about."""

    key: str
    message: str


def unresolved_reference_warnings(source, rendered_html):
    """Return a MathWarning per distinct reference key that `rendered_html` shows as "??"."""
    labels = {key.strip() for key in _LABEL_RE.findall(source)}
    warnings = []
    for key in dict.fromkeys(html.unescape(key) for key in _UNRESOLVED_REFERENCE_RE.findall(rendered_html)):
        if key in labels:
            message = _(
                "\\eqref{%(key)s} shows “(??)”: \\label{%(key)s} is in a formula without a number "
                "($$…$$ alone is never numbered). Write that formula as "
                "\\begin{equation} … \\label{%(key)s} \\end{equation}, or give it a \\tag{…}."
            ) % {"key": key}
        else:
            message = _(
                "\\eqref{%(key)s} shows “(??)”: no formula has \\label{%(key)s}. Check the spelling, "
                "or add the label inside a numbered formula (\\begin{equation} … \\end{equation})."
            ) % {"key": key}
        warnings.append(MathWarning(key, message))
    return warnings
