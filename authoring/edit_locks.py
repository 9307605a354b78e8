"""Optimistic locking for the post editor: a stale copy is refused, never silently saved; and
presence: opening a post shows who else has it open, and since when.

The change form carries the `updated_at` of the row it was opened from. When it is submitted,
the row is locked (SELECT … FOR UPDATE, inside the admin's transaction) and compared: if someone
saved since, or the form says nothing of the version it was made from, the form fails with an
error that names who and when, the writer's text stays in the form, and the hidden token now
holds the current value, so a deliberate second save replaces the other version (which the
revision history still keeps).
"""

import datetime
from dataclasses import dataclass

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _


def lock_token(updated_at):
    """Return the form token for a row last saved at `updated_at`."""
    return updated_at.isoformat() if updated_at else ""


class EditLockForm(forms.ModelForm):
    """A ModelForm that refuses to overwrite a row changed since the form was rendered."""

    edit_lock = forms.CharField(widget=forms.HiddenInput, required=False)
    # Set by the admin where overwriting is the point (restoring an old revision).
    check_edit_lock = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["edit_lock"].initial = lock_token(self.instance.updated_at)

    def clean(self):
        cleaned_data = super().clean()
        # Every change form the admin renders carries the token. A submission without one (a
        # script, a hand-made request) cannot show which version it was made from, so it is
        # refused like a stale copy: no saved row has an empty token. An add form has no row to
        # overwrite, and restoring a revision overwrites on purpose.
        if self.instance.pk and self.check_edit_lock:
            model = type(self.instance)
            current = (
                model._default_manager.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("updated_at", flat=True)
                .first()
            )
            if current is not None and cleaned_data.get("edit_lock") != lock_token(current):
                self.data = self.data.copy()
                self.data[self.add_prefix("edit_lock")] = lock_token(current)
                raise ValidationError(self.conflict_message(current), code="edit_conflict")
        return cleaned_data

    def conflict_message(self, current):
        """Tell the writer what happened and what to do; names the other editor when known."""
        when = date_format(timezone.localtime(current), "DATETIME_FORMAT")
        editor = last_editor_name(self.instance)
        if editor:
            return _(
                "%(editor)s changed this post at %(when)s, after you opened it. Nothing was saved; "
                "your text is still below. Compare it with the history, then save again to replace "
                "their version (theirs stays in the history)."
            ) % {"editor": editor, "when": when}
        return _(
            "This post was changed at %(when)s, after you opened it. Nothing was saved; your text is "
            "still below. Compare it with the history, then save again to replace that version."
        ) % {"when": when}


def last_editor_name(instance):
    """The username of whoever saved the newest revision of `instance`, or "" if unknown."""
    from reversion.models import Version

    version = Version.objects.get_for_object(instance).select_related("revision__user").first()
    user = version.revision.user if version else None
    return user.get_username() if user else ""


# --- presence: who else has the post open ----------------------------------------------------
#
# The lock above stops the second save; presence warns before anyone types. Opening the change
# form notes the writer against the post in the cache (Redis), and the open page renews that
# note every HEARTBEAT_SECONDS (static/authoring/edit-presence.js) and drops it when it closes.
# A note not renewed for PRESENCE_SECONDS (a crashed browser, a laptop shut) lapses by itself.
# The notes of one post are one cache entry, read and written whole: two writers opening the
# same post in the same instant may lose one note, which the next heartbeat restores.

HEARTBEAT_SECONDS = 30
PRESENCE_SECONDS = 3 * HEARTBEAT_SECONDS


@dataclass(frozen=True)
class Presence:
    """Someone with a post's change form open, and since when."""

    user_id: int
    name: str
    since: datetime.datetime

    @property
    def message(self):
        """What the other writers are told, in their language."""
        return _("%(name)s has had this post open since %(since)s.") % {
            "name": self.name,
            "since": presence_time(self.since),
        }


def presence_time(moment, now=None):
    """`moment` in the site's time zone: "15:46" today, "2026-12-01 15:46" on another day."""
    local = timezone.localtime(moment)
    today = timezone.localtime(now or timezone.now()).date()
    return date_format(local, "H:i" if local.date() == today else "Y-m-d H:i")


def _presence_key(post_id):
    return f"edit-presence:{post_id}"


def _fresh_notes(post_id, now):
    notes = cache.get(_presence_key(post_id)) or {}
    cutoff = now.timestamp() - PRESENCE_SECONDS
    return {user_id: note for user_id, note in notes.items() if note["seen"] >= cutoff}


def note_open(post_id, user, now=None):
    """Note that `user` has post `post_id` open (renewing an earlier note); returns the others."""
    now = now or timezone.now()
    notes = _fresh_notes(post_id, now)
    earlier = notes.get(user.pk)
    notes[user.pk] = {
        "name": user.get_full_name() or user.get_username(),
        "since": earlier["since"] if earlier else now.timestamp(),
        "seen": now.timestamp(),
    }
    cache.set(_presence_key(post_id), notes, timeout=PRESENCE_SECONDS)
    return _others(notes, user)


def note_closed(post_id, user, now=None):
    """Forget that `user` has post `post_id` open (their page closed or navigated away)."""
    notes = _fresh_notes(post_id, now or timezone.now())
    if notes.pop(user.pk, None) is not None:
        cache.set(_presence_key(post_id), notes, timeout=PRESENCE_SECONDS)


def others_editing(post_id, user, now=None):
    """Everyone but `user` with post `post_id` open now, the earliest first."""
    return _others(_fresh_notes(post_id, now or timezone.now()), user)


def _others(notes, user):
    others = [
        Presence(user_id, note["name"], datetime.datetime.fromtimestamp(note["since"], tz=datetime.UTC))
        for user_id, note in notes.items()
        if user_id != user.pk
    ]
    return sorted(others, key=lambda presence: presence.since)
