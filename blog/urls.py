from django.urls import include, path, register_converter

from . import views


class CalendarYearConverter:
    """A year the calendar can hold (1 to 9999); any other number is no page at all (404).

    The plain `int` converter lets /archive/0/ and /archive/10000/ reach the view, where the
    year lookup cannot build the year's first and last instant and the page fails.
    """

    regex = "[0-9]{1,4}"

    def to_python(self, value):
        year = int(value)
        if not 1 <= year <= 9999:
            raise ValueError("year outside the calendar")
        return year

    def to_url(self, value):
        return str(value)


register_converter(CalendarYearConverter, "calendar_year")

app_name = "blog"

urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("posts/<slug:slug>/", views.post_detail, name="post"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag"),
    path("series/<slug:slug>/", views.series_detail, name="series"),
    path("authors/<str:username>/", views.author_detail, name="author"),
    path("archive/", views.archive_index, name="archive"),
    path("archive/<calendar_year:year>/", views.archive_year, name="archive_year"),
    path("", include("blog.feed_urls")),
]
