from django.urls import include, path

from . import views

app_name = "blog"

urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("posts/<slug:slug>/", views.post_detail, name="post"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag"),
    path("series/<slug:slug>/", views.series_detail, name="series"),
    path("authors/<str:username>/", views.author_detail, name="author"),
    path("archive/", views.archive_index, name="archive"),
    path("archive/<int:year>/", views.archive_year, name="archive_year"),
    path("", include("blog.feed_urls")),
]
