"""One check of text parameters for every view: what the database cannot store is a 400.

PostgreSQL's text type cannot hold a NUL character, and a lone UTF-16 surrogate cannot be
encoded as UTF-8 at all. Either one in a filter, slug, username, token, admin filter or form
field would reach a query and fail there as a server error, in whichever view it happened to
reach; validating each view's parameters one by one would miss the next view. So the request
is checked once, before any view (and before the session is loaded), and refused with a page
that says what is wrong.

The check costs next to nothing on the hot path, the anonymous timeline: a NUL can only arrive
in a query string as "%00" (Django decodes it with errors="replace", so a broken UTF-8 sequence
becomes U+FFFD, never a surrogate), so a substring test on the raw query string settles a GET
without parsing it. Form fields are looked at only on POST, which the CSRF check parses anyway.
"""

import re

from django.http import UnreadablePostError
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

# NUL, and the surrogate code points, which are never characters on their own.
UNSTORABLE_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


def is_storable(text):
    """Return whether PostgreSQL can store `text`: no NUL and no lone surrogate."""
    return UNSTORABLE_CHARACTERS.search(text) is None


def _form_is_storable(request):
    """Return whether every field name, value and upload file name of a POST is storable."""
    try:
        fields, uploads = list(request.POST.lists()), list(request.FILES.lists())
    except UnreadablePostError:
        # The client went away mid-upload; the view will find nothing to read either.
        return True
    texts = [name for name, _values in fields + uploads]
    texts += [value for _name, values in fields for value in values]
    texts += [upload.name or "" for _name, files in uploads for upload in files]
    return all(is_storable(text) for text in texts)


def request_is_storable(request):
    """Return whether the path, query string, cookies and form fields of `request` are storable."""
    query = request.META.get("QUERY_STRING", "")
    if "%00" in query or "\x00" in query or not is_storable(request.path):
        return False
    # A quoted cookie value may spell a NUL as the octal escape \000, so look at parsed values.
    if not all(is_storable(value) for value in request.COOKIES.values()):
        return False
    return request.method != "POST" or _form_is_storable(request)


class StorableTextMiddleware:
    """Answer 400, in the reader's language, to a request holding text PostgreSQL cannot store.

    It sits before the session middleware: a session cookie with a NUL in it would otherwise
    be looked up in the database as soon as anything asked who the user is.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request_is_storable(request):
            return self.get_response(request)
        # LocaleMiddleware has not run yet; choose the language the way it would.
        with translation.override(translation.get_language_from_request(request)):
            return render(
                request,
                "400.html",
                {
                    "message": _(
                        "This request holds a character the site cannot read (such as a NUL byte) in "
                        "its address, form or cookies. Check the link or what you typed, and try again."
                    )
                },
                status=400,
            )
