"""Unified diffs between two saved versions of a post, for the admin's history page."""

import difflib
from dataclasses import dataclass

COMPARED_FIELDS = ("title", "summary", "body")


@dataclass
class DiffLine:
    """One line of a unified diff and how to show it: "add", "remove", "hunk" or "context"."""

    text: str
    kind: str


def unified_diff(old_text, new_text, old_label, new_label, context=3):
    """Return the unified diff of two texts as DiffLines (empty when they are equal)."""
    lines = difflib.unified_diff(
        (old_text or "").splitlines(),
        (new_text or "").splitlines(),
        fromfile=old_label,
        tofile=new_label,
        n=context,
        lineterm="",
    )
    result = []
    for line in lines:
        if line.startswith(("---", "+++")):
            kind = "file"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "remove"
        else:
            kind = "context"
        result.append(DiffLine(line, kind))
    return result


def field_diffs(old_fields, new_fields, old_label, new_label):
    """Return [(field name, DiffLines)] for each compared field that differs between two dicts."""
    diffs = []
    for name in COMPARED_FIELDS:
        if old_fields.get(name) != new_fields.get(name):
            diffs.append(
                (name, unified_diff(old_fields.get(name), new_fields.get(name), old_label, new_label))
            )
    return diffs
