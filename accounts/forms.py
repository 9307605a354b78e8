"""Forms of the reader portal and the writers' profile, with the rate-limited login."""

import secrets

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .image_uploads import ImageUploadError, make_avatar
from .models import AuthorProfile
from .rate_limits import FAILED_LOGINS, client_ip, minutes_left


def email_in_use(email, *, except_user=None):
    """True when another account already uses `email` (compared case-insensitively)."""
    users = get_user_model()._default_manager.filter(email__iexact=email)
    if except_user is not None:
        users = users.exclude(pk=except_user.pk)
    return users.exists()


class RateLimitedLoginMixin:
    """Refuses to check a password once the IP or the account has failed too often.

    The check comes before authenticate(), so once limited even the right password is refused:
    otherwise the limit would only slow guessing down, not stop it.
    """

    rate_limited = False

    def clean(self):
        ip = client_ip(self.request) if self.request else ""
        account = (self.data.get("username") or "").strip()
        if FAILED_LOGINS.exceeded(ip, account):
            self.rate_limited = True
            raise ValidationError(
                _(
                    "Too many failed log-in attempts for this account or from your network. "
                    "Wait %(minutes)d minutes and try again, or reset your password."
                )
                % {"minutes": minutes_left()},
                code="rate_limited",
            )
        try:
            cleaned_data = super().clean()
        except ValidationError as error:
            if getattr(error, "code", None) == "invalid_login":
                FAILED_LOGINS.record(ip, account)
            raise
        FAILED_LOGINS.clear_account(account)
        return cleaned_data


class LoginForm(RateLimitedLoginMixin, AuthenticationForm):
    """The readers' log-in: email address (or a writer's username) and password."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "That email address and password do not match. Check both, or reset your password."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Email address")
        self.fields["username"].widget.attrs.update({"autocomplete": "email"})


class AdminLoginForm(RateLimitedLoginMixin, AdminAuthenticationForm):
    """The admin's log-in with the same limits as the readers' one."""


class SignUpForm(forms.Form):
    """A new reader account from an email address and a password typed twice."""

    email = forms.EmailField(label=_("Email address"), max_length=254)
    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self):
        email = get_user_model().objects.normalize_email(self.cleaned_data["email"]).strip()
        if email_in_use(email):
            raise ValidationError(
                _("An account with this email address already exists. Log in, or reset its password.")
            )
        return email

    def clean(self):
        cleaned_data = super().clean()
        password1, password2 = cleaned_data.get("password1"), cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ. Type the same password twice."))
        elif password1:
            candidate = get_user_model()(email=cleaned_data.get("email", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned_data

    def save(self):
        """Create and return the reader's account; the username is random, readers never see it."""
        user = get_user_model().objects.create_user(
            username=f"reader-{secrets.token_hex(6)}",
            email=self.cleaned_data["email"],
            password=self.cleaned_data["password1"],
        )
        return user


class ChangeEmailForm(forms.Form):
    """A new email address, confirmed with the current password."""

    email = forms.EmailField(label=_("New email address"), max_length=254)
    password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = get_user_model().objects.normalize_email(self.cleaned_data["email"]).strip()
        if email_in_use(email, except_user=self.user):
            raise ValidationError(_("Another account uses this email address. Choose a different one."))
        return email

    def clean_password(self):
        if not self.user.check_password(self.cleaned_data["password"]):
            raise ValidationError(_("That is not your current password. Type it again."))
        return self.cleaned_data["password"]

    def save(self):
        """Store the new address on the account."""
        self.user.email = self.cleaned_data["email"]
        self.user.save(update_fields=["email"])
        return self.user


class DeleteAccountForm(forms.Form):
    """Deleting an account asks for its password, so a borrowed open session cannot do it."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        if not self.user.check_password(self.cleaned_data["password"]):
            raise ValidationError(_("That is not your password. Type it again to delete the account."))
        return self.cleaned_data["password"]


class AuthorProfileForm(forms.ModelForm):
    """A writer's public profile; the avatar is checked as a real image and stored resized."""

    class Meta:
        model = AuthorProfile
        fields = ["display_name", "bio", "avatar", "links"]
        widgets = {
            "avatar": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"})
        }

    def clean_avatar(self):
        avatar = self.cleaned_data.get("avatar")
        if avatar and avatar != self.initial.get("avatar") and hasattr(avatar, "content_type"):
            try:
                return make_avatar(avatar)
            except ImageUploadError as error:
                raise ValidationError(str(error)) from None
        return avatar

    def clean_links(self):
        validate = forms.URLField(assume_scheme="https").clean
        links = []
        for line in self.cleaned_data["links"].splitlines():
            if line.strip():
                try:
                    links.append(validate(line.strip()))
                except ValidationError:
                    raise ValidationError(
                        _("“%(line)s” is not a web address. Put one full URL on each line.") % {"line": line}
                    ) from None
        return "\n".join(links)
