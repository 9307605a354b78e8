from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("language/<str:code>/", views.choose_language, name="language"),
]
