"""Root URLs: each app brings its own; this module only wires them."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.urls import include, path
from django.views.static import serve

from accounts.feeds import PersonalFeed
from authoring.editor_preview import EditorPreviewView
from authoring.editor_uploads import EditorImageUploadView
from blog.sitemaps import robots_txt, sitemap_index, sitemap_section

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    # Preview links handed out while they were accounts' still work: same /accounts/preview/ path.
    path("accounts/", include("authoring.urls")),
    # markdownx's own URLs are open to anyone; the preview and upload are for staff only.
    path(
        settings.MARKDOWNX_URLS_PATH.strip("/") + "/",
        staff_member_required(EditorPreviewView.as_view()),
        name="markdownx_markdownify",
    ),
    path(
        settings.MARKDOWNX_UPLOAD_URLS_PATH.strip("/") + "/",
        staff_member_required(EditorImageUploadView.as_view()),
        name="markdownx_upload",
    ),
    path("sitemap.xml", sitemap_index, name="sitemap_index"),
    path("sitemap-<slug:section>.xml", sitemap_section, name="sitemap_section"),
    path("robots.txt", robots_txt, name="robots_txt"),
    # A reader's private feed: the token is the only credential, so it lives outside /accounts/.
    path("feeds/me/<str:token>.atom", PersonalFeed("atom"), name="personal_feed"),
    path("search/", include("search.urls")),
    path("", include("blog.urls")),
]

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
