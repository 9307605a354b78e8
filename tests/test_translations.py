"""The Chinese interface is complete: every message translated, none fuzzy, the .mo up to date."""

import gettext
import re
from pathlib import Path

from django.conf import settings

CATALOG = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
MSGID = re.compile(r'^msgid "(.*)"$')
ESCAPE = re.compile(r"\\(.)")
ESCAPED = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def unescape(text):
    return ESCAPE.sub(lambda match: ESCAPED[match.group(1)], text)


def po_message_ids():
    """The msgids of the .po (continuation lines joined), without the header or obsolete entries."""
    ids, current = [], None
    for line in (CATALOG / "django.po").read_text(encoding="utf-8").splitlines():
        match = MSGID.match(line)
        if match:
            current = match.group(1)
            ids.append(current)
        elif current is not None and line.startswith('"'):
            ids[-1] += line[1:-1]
        else:
            current = None
    return [unescape(message) for message in ids if message]


def test_no_message_is_left_fuzzy():
    po = (CATALOG / "django.po").read_text(encoding="utf-8")
    fuzzy = [
        block
        for block in po.split("\n\n")
        if "#, fuzzy" in block and 'msgid ""\nmsgstr ""\n"Project' not in block
    ]
    assert not fuzzy, fuzzy[:3]


def test_every_message_is_translated_in_the_compiled_catalog():
    with open(CATALOG / "django.mo", "rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog
    translated = {key if isinstance(key, str) else key[0] for key, value in catalog.items() if value}
    missing = [message for message in po_message_ids() if message not in translated]
    assert not missing, missing[:5]


def test_every_ingestion_message_is_in_the_catalog():
    """Feed-source errors are stored in English and shown translated: each template needs its entry."""
    from blog.ingest.messages import TEMPLATES

    missing = sorted(set(TEMPLATES) - set(po_message_ids()))
    assert not missing, missing[:5]
