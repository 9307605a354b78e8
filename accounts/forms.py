"""Forms of the reader portal and the writers' profile, with the rate-limited login."""

import unicodedata

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from blog.image_uploads import ImageUploadError, make_avatar
from blog.rate_limits import client_ip, minutes_left

from .backends import account_for_login_name
from .models import AuthorProfile
from .rate_limits import FAILED_LOGINS, login_account
from .sign_ups import email_in_use


class RateLimitedLoginMixin:
    """Refuses to check a password once the IP or the account has failed too often.

    The check comes before authenticate(), so once limited even the right password is refused:
    otherwise the limit would only slow guessing down, not stop it. Failures count against the
    account the name resolves to, not the name as typed: the email address, the username and
    their full-width or other Unicode spellings all log the same account in, so they share one
    counter. A name that resolves to no account is counted in its normalized, casefolded form.
    """

    rate_limited = False

    def clean(self):
        ip = client_ip(self.request) if self.request else ""
        # The username field has already NFKC-normalized the name (Django's UsernameField).
        name = self.cleaned_data.get("username") or ""
        user = account_for_login_name(name)
        account = login_account(user) if user else name
        if FAILED_LOGINS.exceeded(ip, account):
            self.rate_limited = True
            raise ValidationError(
                _(
                    "Too many failed log-in attempts for this account or from your network. "
                    "Wait %(minutes)d minutes and try again, or reset your password."
                )
                % {"minutes": minutes_left(FAILED_LOGINS)},
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
    """An email address and a password typed twice, for a new reader account (accounts.sign_ups).

    The form never looks the address up: whether an account has it already is told only to the
    mailbox, so the form's errors are the same for a known and a new address.
    """

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
        # NFKC as for log-in names: "reader@ｅｘａｍｐｌｅ.com" is delivered to reader@example.com.
        email = unicodedata.normalize("NFKC", self.cleaned_data["email"]).strip()
        validate_email(email)
        return get_user_model().objects.normalize_email(email)

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


class FinishSignUpForm(forms.Form):
    """The password chosen at sign-up, typed again on the mailed link's page.

    Only whoever chose the password can finish, so someone who signs up with another person's
    address cannot have that person confirm an account whose password the signer knows.
    """

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


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
