"""The Markdown editor's live preview: markdownx's view, rendered by blog.markdown.render_markdown,
with the warnings of authoring.math_warnings above it.

config/urls.py serves EditorPreviewView behind staff_member_required.
"""

from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.html import format_html, format_html_join
from markdownx.views import MarkdownifyView

from blog.markdown import render_markdown

from .math_warnings import unresolved_reference_warnings


def preview_warnings_html(warnings):
    """The warnings as a block the preview pane shows first (empty when there are none)."""
    if not warnings:
        return ""
    return format_html(
        '<div class="preview-warnings" role="alert">{}</div>',
        format_html_join(
            "", '<p class="preview-warning">{}</p>', ((warning.message,) for warning in warnings)
        ),
    )


class EditorPreviewView(MarkdownifyView):
    """The preview of the editor's text; a POST without the text is a 400, not a server error.

    markdownx reads request.POST["content"] unguarded. The editor always sends it, so only a
    hand-made request lacks it, and it gets no message.
    """

    def post(self, request, *args, **kwargs):
        if "content" not in request.POST:
            return HttpResponseBadRequest()
        source = request.POST["content"]
        rendered = render_markdown(source)
        return HttpResponse(preview_warnings_html(unresolved_reference_warnings(source, rendered)) + rendered)
