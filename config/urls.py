"""Root URLs: each app brings its own; this module only wires them."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.urls import include, path
from django.views.static import serve
from markdownx.views import ImageUploadView, MarkdownifyView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    # markdownx's own URLs are open to anyone; the preview and upload are for staff only.
    path(
        settings.MARKDOWNX_URLS_PATH.strip("/") + "/",
        staff_member_required(MarkdownifyView.as_view()),
        name="markdownx_markdownify",
    ),
    path(
        settings.MARKDOWNX_UPLOAD_URLS_PATH.strip("/") + "/",
        staff_member_required(ImageUploadView.as_view()),
        name="markdownx_upload",
    ),
    path("", include("blog.urls")),
]

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
