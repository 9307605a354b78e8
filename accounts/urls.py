from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("language/<str:code>/", views.choose_language, name="language"),
    path("sign-up/", views.sign_up, name="sign_up"),
    path("sign-up/sent/", views.sign_up_sent, name="sign_up_sent"),
    path("sign-up/finish/<str:token>/", views.sign_up_finish, name="sign_up_finish"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("me/", views.me, name="me"),
    path("me/bookmarks/", views.bookmarks, name="bookmarks"),
    path("me/following/", views.following, name="following"),
    path("me/settings/", views.account_settings, name="settings"),
    path("me/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("me/feed-token/", views.regenerate_feed_token, name="regenerate_feed_token"),
    path("me/delete/", views.delete_account, name="delete"),
    path("me/profile/", views.edit_profile, name="profile"),
    path("bookmarks/<int:post_id>/", views.toggle_bookmark, name="bookmark"),
    path("follows/<str:kind>/<int:pk>/", views.toggle_follow, name="follow"),
]
