"""The readers' rate limits: failed log-ins, password-reset mails and sign-ups (blog.rate_limits
counts them)."""

from blog.rate_limits import Limit

FAILED_LOGINS = Limit("login", "LOGIN_FAILURES_PER_IP", "LOGIN_FAILURES_PER_ACCOUNT")
PASSWORD_RESETS = Limit("password-reset", "PASSWORD_RESETS_PER_IP", "PASSWORD_RESETS_PER_EMAIL")
SIGN_UPS = Limit("sign-up", "SIGN_UPS_PER_IP", "SIGN_UPS_PER_EMAIL")


def login_account(user):
    """The name the failed-login counter uses for an account: its primary key, so the email
    address, the username and every Unicode spelling of either share one counter."""
    return f"account:{user.pk}"
