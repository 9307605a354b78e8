"""Content-Security-Policy allows only our own scripts and styles, and the pages still work under it."""

import re

import pytest
from django.urls import reverse

from blog.models import Post
from tests.factories import make_post

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER_OR_STYLE = re.compile(r"<[^>]+\s(?:on[a-z]+|style)=", re.IGNORECASE)


def policy(response):
    """The Content-Security-Policy header as {directive: sources}."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, _space, sources = part.strip().partition(" ")
        directives[name] = sources
    return directives


def test_pages_send_a_policy_without_unsafe_inline(client):
    post = make_post("CSP", body="正文 $x^2$\n\n```python\nprint(1)\n```")
    response = client.get(post.get_absolute_url())
    directives = policy(response)
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "url_name",
    [
        "blog:timeline",
        "accounts:login",
        "accounts:sign_up",
        "accounts:me",
        "accounts:settings",
        "admin:blog_post_add",
    ],
)
def test_our_pages_and_the_post_editor_need_no_inline_script_or_style(client, editor, url_name):
    make_post("Item", author=editor)
    if url_name not in {"accounts:login", "accounts:sign_up"}:  # those send logged-in people on
        client.force_login(editor)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert not INLINE_SCRIPT.search(response.text), INLINE_SCRIPT.search(response.text)
    assert not INLINE_HANDLER_OR_STYLE.search(response.text), INLINE_HANDLER_OR_STYLE.search(response.text)


def test_the_post_change_form_with_history_and_preview_controls_needs_no_inline_code(client, editor):
    post = make_post("Draft", author=editor, status=Post.Status.DRAFT)
    client.force_login(editor)
    for url in (
        reverse("admin:blog_post_change", args=[post.pk]),
        reverse("admin:blog_post_history", args=[post.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert not INLINE_SCRIPT.search(response.text)
        assert not INLINE_HANDLER_OR_STYLE.search(response.text)


def test_production_cookies_are_secure_httponly_and_same_site(monkeypatch):
    import importlib

    import config.settings

    monkeypatch.setenv("DEBUG", "false")
    monkeypatch.setenv("SECRET_KEY", "x" * 60)
    for name in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        monkeypatch.delenv(name, raising=False)
    production = importlib.reload(config.settings)
    try:
        assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE
        assert production.SESSION_COOKIE_HTTPONLY and production.CSRF_COOKIE_HTTPONLY
        assert production.SESSION_COOKIE_SAMESITE == production.CSRF_COOKIE_SAMESITE == "Lax"
    finally:
        monkeypatch.undo()
        importlib.reload(config.settings)
