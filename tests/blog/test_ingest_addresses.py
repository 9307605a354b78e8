"""Only public addresses are fetched, however an IPv6 address dresses up a private IPv4 one."""

import pytest

from blog.ingest.fetch import BlockedAddress, fetch, is_public_address, vetted_addresses
from tests.blog.feed_samples import entries, rss

# Each hides a loopback or private IPv4 address, or is private in its own right.
NOT_PUBLIC = [
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:10.0.0.1",
    "::127.0.0.1",  # IPv4-compatible
    "::10.1.2.3",
    "::",
    "::1",
    "64:ff9b::7f00:1",  # NAT64, well-known prefix, to 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 to 169.254.169.254, the cloud metadata service
    "64:ff9b::c0a8:101",  # NAT64 to 192.168.1.1
    "64:ff9b:1::808:808",  # local-use NAT64: where it leads is the local network's business
    "2002:7f00:1::1",  # 6to4 around 127.0.0.1
    "2002:a00:1::1",  # 6to4 around 10.0.0.1
    "2002:c0a8:101::",  # 6to4 around 192.168.1.1
    "fec0::1",  # site-local
    "fec0:1:2:3::4",
    "feff::1",
    "fc00::1",  # unique local
    "fe80::1%lo",  # link-local
    "ff02::1",  # multicast
    "2001:db8::1",  # documentation
    "100::1",  # discard
    "127.0.0.1",
    "10.0.0.1",
    "100.64.0.1",  # carrier-grade NAT
    "169.254.169.254",
    "224.0.0.1",
    "0.0.0.0",  # noqa: S104 - a destination to refuse, not an address to bind
]
PUBLIC = ["8.8.8.8", "2606:4700::1111", "2a00:1450:4001:80e::200e", "64:ff9b::808:808", "2002:808:808::1"]


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_private_addresses_in_any_form_are_not_public(address):
    assert not is_public_address(address)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_stay_public(address):
    assert is_public_address(address)


@pytest.mark.parametrize("address", [a for a in NOT_PUBLIC if ":" in a and "%" not in a])
def test_a_host_given_as_such_an_address_is_refused_before_connecting(address, settings):
    """The resolver hands back the literal address; it is refused before any socket opens."""
    settings.INGEST_ALLOW_PRIVATE = False
    with pytest.raises(BlockedAddress, match="not a public address"):
        vetted_addresses(address, 80)


def test_an_ipv4_mapped_loopback_url_is_not_fetched(httpserver, settings):
    settings.INGEST_ALLOW_PRIVATE = False
    httpserver.expect_request("/feed.xml").respond_with_data(rss(entries(1)))
    with pytest.raises(BlockedAddress, match=r"::ffff:127\.0\.0\.1"):
        fetch(f"http://[::ffff:127.0.0.1]:{httpserver.port}/feed.xml")
    assert len(httpserver.log) == 0


def test_an_allowlisted_ipv4_network_does_not_open_ipv6_addresses(settings):
    """ipaddress alone would find fd00::a00:5 "in" 10.0.0.5/32 (its low 32 bits match)."""
    settings.INGEST_ALLOW_PRIVATE = False
    settings.INGEST_PRIVATE_ALLOWLIST = ["10.0.0.5"]
    with pytest.raises(BlockedAddress):
        vetted_addresses("fd00::a00:5", 80)
    assert vetted_addresses("::ffff:10.0.0.5", 80)  # the allow-listed host itself, mapped
