"""The reader portal (sign-up, log-in, bookmarks, follows, personal timeline and feed), writers'
profiles, and reader preferences that need no account. Draft previews are authoring.views.

Everything here is per person, so none of it goes through the anonymous page cache; buttons that
post to these views are rendered only for logged-in readers (see accounts_tags).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.db.models import ProtectedError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from blog.models import Post
from blog.rate_limits import client_ip, minutes_left
from blog.views import paged_timeline

from .following import bookmarked_posts, followable, followed_posts, visible_follows
from .forms import (
    AuthorProfileForm,
    ChangeEmailForm,
    DeleteAccountForm,
    FinishSignUpForm,
    LoginForm,
    SignUpForm,
)
from .models import AuthorProfile, Bookmark, FeedToken, Follow, new_token
from .rate_limits import FAILED_LOGINS, PASSWORD_RESETS, SIGN_UPS, login_account
from .sign_ups import (
    SignUpAddressTaken,
    SignUpLinkInvalid,
    SignUpWrongPassword,
    finish_sign_up,
    pending_sign_up,
    start_sign_up,
)


def safe_next_url(request, default="/"):
    """Return the `next` parameter when it is an address on this site, else `default`.

    Only a path ("/…") or an absolute http(s) URL of this host counts: a bare word such as
    "foo" passes url_has_allowed_host_and_scheme, but `redirect()` would look it up as a view
    name and a browser would resolve it against the current page. Send the result with
    HttpResponseRedirect, never `redirect()`.
    """
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if next_url.startswith(("/", "http://", "https://")) and url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, request.is_secure()
    ):
        return next_url
    return default


def choose_language(request, code):
    """Remember the reader's UI language in a cookie and go back to where they were.

    A plain link rather than Django's POST form, so cached pages carry no per-reader CSRF token;
    choosing a language changes nothing but this reader's own preference.
    """
    response = HttpResponseRedirect(safe_next_url(request))
    if check_for_language(code) and code in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


# --- signing up, in and out ---------------------------------------------------------------------


def sign_up(request):
    """Start a reader account from an email address and a password: the address is sent a mail,
    and the answer is the same whether or not it has an account already (accounts.sign_ups)."""
    if request.user.is_authenticated:
        return redirect("accounts:me")
    form = SignUpForm(request.POST or None)
    if request.method == "POST":
        ip = client_ip(request)
        email = form.cleaned_data["email"] if form.is_valid() else ""
        if SIGN_UPS.exceeded(ip, email):
            form.add_error(
                None,
                _(
                    "Too many sign-up attempts from your network or for this address. Wait %(minutes)d "
                    "minutes, then check your inbox and spam folder for the mail already sent."
                )
                % {"minutes": minutes_left(SIGN_UPS)},
            )
            return render(request, "accounts/sign_up.html", {"form": form}, status=429)
        SIGN_UPS.record(ip, email)
        if email:
            start_sign_up(
                email,
                form.cleaned_data["password1"],
                origin=request.build_absolute_uri("/").rstrip("/"),
                next_url=safe_next_url(request, ""),
            )
            return redirect("accounts:sign_up_sent")
    return render(request, "accounts/sign_up.html", {"form": form})


def sign_up_sent(request):
    """The "check your inbox" page: the one answer to every accepted sign-up."""
    return render(request, "accounts/sign_up_sent.html")


def sign_up_finish(request, token):
    """The mailed link: the password chosen at sign-up, typed again, creates the account and
    logs it in."""
    try:
        pending = pending_sign_up(token)
    except SignUpLinkInvalid:
        return render(request, "accounts/sign_up_invalid.html", status=404)
    form = FinishSignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = finish_sign_up(token, form.cleaned_data["password"])
        except SignUpLinkInvalid:
            return render(request, "accounts/sign_up_invalid.html", status=404)
        except SignUpWrongPassword:
            form.add_error(
                "password",
                _(
                    "That is not the password chosen when signing up. Type it again, "
                    "or sign up again to choose a new one."
                ),
            )
        except SignUpAddressTaken:
            return render(request, "accounts/sign_up_invalid.html", {"address_taken": True}, status=409)
        else:
            login(request, user, backend="accounts.backends.EmailOrUsernameBackend")
            messages.success(request, _("Welcome! Follow tags, series or authors to fill your timeline."))
            return HttpResponseRedirect(pending.next_url or reverse("accounts:me"))
    response = render(request, "accounts/sign_up_finish.html", {"form": form, "email": pending.email})
    response["Cache-Control"] = "private, no-store"
    return response


class LoginView(auth_views.LoginView):
    """Log in by email address; answers 429 while the rate limit holds."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.rate_limited:
            response.status_code = 429
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Mail a reset link; requests are limited per IP and per address, and the answer is the same
    whether or not an account exists, so the form cannot be used to probe addresses."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    extra_email_context = {"site_name": settings.SITE_NAME}

    def form_valid(self, form):
        ip, email = client_ip(self.request), form.cleaned_data["email"]
        if PASSWORD_RESETS.exceeded(ip, email):
            form.add_error(
                None,
                _(
                    "Too many password reset requests. Wait %(minutes)d minutes, "
                    "then check your inbox and spam folder first."
                )
                % {"minutes": minutes_left(FAILED_LOGINS)},
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        PASSWORD_RESETS.record(ip, email)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a new password from the mailed link; logs in afterwards."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:me")
    post_reset_login = True
    post_reset_login_backend = "accounts.backends.EmailOrUsernameBackend"

    def form_valid(self, form):
        # The lock-out message offers a reset as the way back in, so a reset lifts the lock.
        FAILED_LOGINS.clear_account(login_account(form.user))
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change the password (the current one is asked for); the session stays logged in."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:settings")

    def form_valid(self, form):
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


# --- the reader's own pages ---------------------------------------------------------------------


@login_required
def me(request):
    """The personal timeline: published posts from what the reader follows, newest first."""
    has_follows = Follow.objects.filter(user=request.user).exists()
    return paged_timeline(
        request, followed_posts(request.user), "accounts/me.html", {"has_follows": has_follows}
    )


@login_required
def bookmarks(request):
    """The reader's saved posts ("稍后阅读"), with the timeline's paging."""
    return paged_timeline(request, bookmarked_posts(request.user), "accounts/bookmarks.html", {})


@login_required
def following(request):
    """What the reader follows that readers can see (accounts.following), each with an unfollow button."""
    follows = visible_follows(request.user).select_related("tag", "series", "author", "source")
    return render(request, "accounts/following.html", {"follows": follows.order_by("-created_at")})


@login_required
def account_settings(request):
    """Email, password, the private feed address and account deletion."""
    feed_token, _created = FeedToken.objects.get_or_create(user=request.user)
    form = ChangeEmailForm(request.user, request.POST or None, initial={"email": request.user.email})
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your email address is now %(email)s.") % {"email": request.user.email})
        return redirect("accounts:settings")
    feed_url = request.build_absolute_uri(reverse("personal_feed", kwargs={"token": feed_token.token}))
    return render(request, "accounts/settings.html", {"email_form": form, "feed_url": feed_url})


@login_required
@require_POST
def regenerate_feed_token(request):
    """Replace the private feed token: the old feed address stops working at once."""
    FeedToken.objects.update_or_create(user=request.user, defaults={"token": new_token()})
    messages.success(request, _("Your private feed has a new address. Update it in your feed reader."))
    return redirect("accounts:settings")


@login_required
def delete_account(request):
    """Delete the account with its bookmarks, follows, feed token and profile, after the password."""
    form = DeleteAccountForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        try:
            with transaction.atomic():
                user.delete()
        except ProtectedError:
            form.add_error(
                None,
                _(
                    "This account has written posts, so it cannot be deleted here. "
                    "Ask an editor to reassign them first."
                ),
            )
        else:
            logout(request)
            messages.success(request, _("Your account and everything saved with it have been deleted."))
            return redirect("blog:timeline")
    return render(request, "accounts/delete_account.html", {"form": form})


@login_required
@require_POST
def toggle_bookmark(request, post_id):
    """Save a published post for later, or (with remove=1) take it off the list."""
    post = get_object_or_404(Post.objects.published(), pk=post_id)
    if request.POST.get("remove"):
        Bookmark.objects.filter(user=request.user, post=post).delete()
    else:
        Bookmark.objects.get_or_create(user=request.user, post=post)
    return HttpResponseRedirect(safe_next_url(request, reverse("accounts:bookmarks")))


@login_required
@require_POST
def toggle_follow(request, kind, pk):
    """Follow a tag, series, author or source, or (with remove=1) stop following it.

    Only what readers can see may be followed: anything else is 404, like an id that exists
    nowhere. Stopping looks nothing up, so it also ends a follow whose target has since gone out
    of sight, and it answers the same for every id.
    """
    if kind not in Follow.TARGET_FIELDS:
        raise Http404
    if request.POST.get("remove"):
        Follow.objects.filter(user=request.user, **{f"{kind}_id": pk}).delete()
    else:
        target = get_object_or_404(followable(kind), pk=pk)
        Follow.objects.get_or_create(user=request.user, **{kind: target})
    return HttpResponseRedirect(safe_next_url(request, reverse("accounts:following")))


# --- writers -----------------------------------------------------------------------------------


@permission_required("blog.add_post")
def edit_profile(request):
    """A writer's public profile: display name, Markdown bio, avatar and links."""
    profile, _created = AuthorProfile.objects.get_or_create(user=request.user)
    form = AuthorProfileForm(request.POST or None, request.FILES or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "profile": profile})
