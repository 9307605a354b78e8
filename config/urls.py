"""Root URLs: each app brings its own; this module only wires them."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404
from django.urls import include, path
from django.views.decorators.cache import cache_control
from django.views.static import serve

from accounts.feeds import PersonalFeed
from authoring.editor_preview import EditorPreviewView
from authoring.editor_uploads import EditorImageUploadView
from blog.sitemaps import robots_txt, sitemap_index, sitemap_section
from config.health import HealthView

urlpatterns = [
    # For load balancers: 200 or 503, never cached (config/health.py).
    path("health/", HealthView.as_view(), name="health"),
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

if settings.SERVE_MEDIA:
    # Uploads on local disk, in production too: whitenoise only serves files present at start.
    # Their names are random and never reused, so a copy may be kept for a year. Where nginx
    # serves MEDIA_ROOT itself (`location /media/ { alias …; }`), set SERVE_MEDIA=false.
    @cache_control(public=True, max_age=365 * 24 * 3600, immutable=True)
    def serve_media(request, path):
        """One uploaded file from MEDIA_ROOT (read per request: tests give each a directory)."""
        try:
            return serve(request, path, document_root=settings.MEDIA_ROOT)
        except OSError:  # a name the file system refuses (too long…) names no upload
            raise Http404(path) from None

    urlpatterns += [path(settings.MEDIA_URL.strip("/") + "/<path:path>", serve_media, name="media")]
