"""Counters in Redis that stop password guessing and reset-mail flooding, per IP and per account.

Each limit is a fixed window: the first attempt starts a counter that expires after
RATE_LIMIT_WINDOW seconds; once a counter reaches its limit the action is refused until it
expires. Two counters guard each action, so a botnet spreading guesses over many addresses
still trips the per-account counter, and one address trying many accounts trips the per-IP one.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    """An action guarded by a per-IP and a per-account counter, with limits named by settings."""

    name: str
    per_ip_setting: str
    per_account_setting: str

    def _keys(self, ip, account):
        keys = [(self._key("ip", ip), getattr(settings, self.per_ip_setting))]
        if account:
            keys.append(
                (self._key("account", account.strip().lower()), getattr(settings, self.per_account_setting))
            )
        return keys

    def _key(self, scope, value):
        digest = hashlib.blake2b(value.encode(), digest_size=16).hexdigest()
        return f"rate-limit:{self.name}:{scope}:{digest}"

    def exceeded(self, ip, account=""):
        """True when the IP or the account has used up its attempts in the current window."""
        counts = cache.get_many([key for key, _limit in self._keys(ip, account)])
        return any(counts.get(key, 0) >= limit for key, limit in self._keys(ip, account))

    def record(self, ip, account=""):
        """Count one attempt against the IP and the account."""
        for key, _limit in self._keys(ip, account):
            cache.add(key, 0, timeout=settings.RATE_LIMIT_WINDOW)
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr: this attempt starts a new window
                cache.add(key, 1, timeout=settings.RATE_LIMIT_WINDOW)

    def clear_account(self, account):
        """Forget the account's failures (after a successful login or a password reset)."""
        if account:
            cache.delete(self._key("account", account.strip().lower()))


FAILED_LOGINS = Limit("login", "LOGIN_FAILURES_PER_IP", "LOGIN_FAILURES_PER_ACCOUNT")
PASSWORD_RESETS = Limit("password-reset", "PASSWORD_RESETS_PER_IP", "PASSWORD_RESETS_PER_EMAIL")


def client_ip(request):
    """The client's IP address; behind our TLS proxy, the address the proxy saw (last X-Forwarded-For).

    The proxy appends what it saw, so only the last entry is trustworthy: earlier ones are
    whatever the client chose to send.
    """
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def minutes_left():
    """The window length in whole minutes, for messages ("try again in N minutes")."""
    return max(1, settings.RATE_LIMIT_WINDOW // 60)
