"""Unified diffs between two saved versions of a post, and how a version is named, for the
admin's history page."""

import difflib
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

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


def revision_time(moment):
    """`moment` in the site's time zone, to the minute ("2026-12-01 15:46"): what a writer can
    match against the history list, without seconds, microseconds or a UTC offset."""
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def revision_label(version):
    """The heading of one saved version: "revision of 2026-12-01 15:46" in the writer's language."""
    return _("revision of %(when)s") % {"when": revision_time(version.revision.date_created)}
