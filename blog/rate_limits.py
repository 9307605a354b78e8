"""Counters in Redis that stop password guessing, sign-up and reset-mail flooding, and search
scraping, per client address and per account.

The mechanism and the client address live here, in blog, because every app counts requests:
accounts (log-in, sign-up, password reset: accounts/rate_limits.py names those limits) and
search both depend on blog, and neither may depend on the other.

Each limit is a fixed window: the first attempt starts a counter that expires after the limit's
window; once a counter reaches its limit the action is refused until it expires. Most actions
have two counters, so a botnet spreading guesses over many addresses still trips the per-account
counter, and one address trying many accounts trips the per-address one.
"""

import hashlib
import ipaddress
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.utils.connection import ConnectionProxy

# Counters live on the state Redis: a cache under memory pressure must not forget a guesser.
state = ConnectionProxy(caches, "state")


def counted_address(ip):
    """The part of a client address that one counter covers: the address itself, or for IPv6
    its /64 network, since one household or server is handed a whole /64 and could otherwise
    start a fresh counter with every request."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        if address.ipv4_mapped:  # ::ffff:192.0.2.1 is the IPv4 client 192.0.2.1
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def counted_account(account):
    """The account name a counter is keyed on: stripped, NFKC-normalized and casefolded, so
    "ＡＢＣ", "abc " and "Abc" share one counter whatever form the name was typed in."""
    return unicodedata.normalize("NFKC", account.strip()).casefold()


@dataclass(frozen=True)
class Limit:
    """An action guarded by a per-address counter and optionally a per-account one, with limits
    and window length named by settings."""

    name: str
    per_ip_setting: str
    per_account_setting: str | None = None
    window_setting: str = "RATE_LIMIT_WINDOW"

    @property
    def window(self):
        """The window length in seconds."""
        return getattr(settings, self.window_setting)

    def _keys(self, ip, account):
        keys = [(self._key("ip", counted_address(ip)), getattr(settings, self.per_ip_setting))]
        if account and self.per_account_setting:
            keys.append(
                (self._key("account", counted_account(account)), getattr(settings, self.per_account_setting))
            )
        return keys

    def _key(self, scope, value):
        digest = hashlib.blake2b(value.encode(errors="surrogatepass"), digest_size=16).hexdigest()
        return f"rate-limit:{self.name}:{scope}:{digest}"

    def exceeded(self, ip, account=""):
        """True when the address or the account has used up its attempts in the current window."""
        counts = state.get_many([key for key, _limit in self._keys(ip, account)])
        return any(counts.get(key, 0) >= limit for key, limit in self._keys(ip, account))

    def record(self, ip, account=""):
        """Count one attempt against the address and the account; return whether it was within
        every limit (False: this attempt is one too many)."""
        within = True
        for key, limit in self._keys(ip, account):
            state.add(key, 0, timeout=self.window)
            try:
                count = state.incr(key)
            except ValueError:  # expired between add and incr: this attempt starts a new window
                state.add(key, 1, timeout=self.window)
                count = 1
            within = within and count <= limit
        return within

    def clear_account(self, account):
        """Forget the account's attempts (after a successful login or a password reset)."""
        if account and self.per_account_setting:
            state.delete(self._key("account", counted_account(account)))


def client_ip(request):
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies of ours the
    address the outermost of them saw.

    Each proxy appends the address it got the request from to X-Forwarded-For, so with N proxies
    the N-th entry from the right was written by the outermost one. Entries left of it are
    whatever the client chose to send; the last entry alone, behind a CDN and a load balancer,
    is the CDN's edge, shared by every reader it serves. With fewer entries than proxies the
    request skipped the outer ones, and the leftmost entry is what the first proxy it met saw.
    """
    remote_addr = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote_addr
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
    if not entries:
        return remote_addr
    return entries[-min(proxies, len(entries))]


def minutes_left(limit):
    """The limit's window in whole minutes, for messages ("try again in N minutes")."""
    return max(1, limit.window // 60)
