"""Authoring's public URL. It sits under /accounts/ (config/urls.py), where preview links
handed out before authoring was an app of its own still point."""

from django.urls import path

from . import views

app_name = "authoring"

urlpatterns = [
    path("preview/<str:token>/", views.preview, name="preview"),
]
