"""The site's URLs with search wired in, for tests until config/urls.py includes search.urls."""

from django.urls import include, path

from config.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("search/", include("search.urls")), *site_urlpatterns]
