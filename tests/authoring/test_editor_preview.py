r"""The editor's preview tells the author when a reference will read "(??)", and why."""

import pytest
from django.utils import translation

from authoring.math_warnings import unresolved_reference_warnings
from blog.markdown import render_markdown

pytestmark = pytest.mark.django_db

PREVIEW_URL = "/markdownx/markdownify/"


def preview(client, content, language="en"):
    response = client.post(PREVIEW_URL, {"content": content}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.text


def test_a_label_in_plain_display_math_is_warned_about_above_the_preview(client, editor):
    client.force_login(editor)
    html = preview(client, "$$E = mc^2 \\label{energy}$$\n\nBy \\eqref{energy} we see.")
    assert html.startswith('<div class="preview-warnings" role="alert">')
    assert "(??)" in html  # the preview still shows what readers would see
    assert "\\label{energy} is in a formula without a number" in html
    assert "\\begin{equation}" in html


def test_a_numbered_formula_gives_no_warning(client, editor):
    client.force_login(editor)
    html = preview(
        client, "$$\\begin{equation}E = mc^2 \\label{energy}\\end{equation}$$\n\nBy \\eqref{energy}."
    )
    assert "preview-warning" not in html
    assert "(??)" not in html


def test_a_reference_to_no_label_says_so_once(client, editor):
    client.force_login(editor)
    html = preview(client, "See \\eqref{missing} and again \\eqref{missing}.")
    assert html.count('class="preview-warning"') == 1
    assert "no formula has \\label{missing}" in html


def test_the_warning_is_in_chinese_for_a_chinese_admin(client, editor):
    client.force_login(editor)
    html = preview(client, "$$x \\label{a}$$\n\n见 \\eqref{a}。", language="zh-hans")
    assert "没有编号" in html


def test_a_hostile_key_is_shown_as_text(client, editor):
    client.force_login(editor)
    html = preview(client, 'See \\eqref{<img src=x onerror=alert(1)>"}.')
    assert "<img" not in html
    assert "preview-warning" in html


def test_the_warnings_come_from_the_rendered_text_alone():
    source = "$$a \\label{one}$$ \\eqref{one} \\ref{two}"
    with translation.override("en"):
        warnings = unresolved_reference_warnings(source, render_markdown(source))
    assert [warning.key for warning in warnings] == ["one", "two"]
