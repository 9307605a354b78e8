"""The Markdown editor's live preview: markdownx's view, rendered by blog.markdown.render_markdown.

config/urls.py serves EditorPreviewView behind staff_member_required.
"""

from django.http import HttpResponseBadRequest
from markdownx.views import MarkdownifyView


class EditorPreviewView(MarkdownifyView):
    """The preview of the editor's text; a POST without the text is a 400, not a server error.

    markdownx reads request.POST["content"] unguarded. The editor always sends it, so only a
    hand-made request lacks it, and it gets no message.
    """

    def post(self, request, *args, **kwargs):
        if "content" not in request.POST:
            return HttpResponseBadRequest()
        return super().post(request, *args, **kwargs)
