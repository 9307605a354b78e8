"""The install locks: hashed, compiled from the short lists in requirements/, tools kept out of
production. `make check-locks` (scripts/check_locks.py) installs them into a fresh virtualenv."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\]+)", re.MULTILINE)


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(lock):
    """{package: version} of a lock file."""
    return {canonical(name): version for name, version in PIN.findall((ROOT / lock).read_text())}


def direct_dependencies(in_file):
    """The package names an .in file asks for (extras and version ranges dropped)."""
    names = set()
    for line in (ROOT / "requirements" / in_file).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(canonical(re.split(r"[\[<>=!~; ]", line, maxsplit=1)[0]))
    return names


def test_every_pin_of_both_locks_carries_a_hash():
    for lock in ("requirements.txt", "requirements-dev.txt"):
        blocks = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / lock).read_text().split("\n", 6)[-1])
        pinned = [block for block in blocks if PIN.match(block)]
        assert pinned, lock
        unhashed = [block.split()[0] for block in pinned if "--hash=sha256:" not in block]
        assert unhashed == [], f"{lock}: pins without hashes (run `make lock`): {unhashed}"


def test_every_direct_dependency_is_pinned_in_its_lock():
    for in_file, lock in (("base.in", "requirements.txt"), ("dev.in", "requirements-dev.txt")):
        missing = direct_dependencies(in_file) - set(pins(lock))
        assert missing == set(), f"{in_file} names {missing}, absent from {lock}: run `make lock`"


def test_test_and_tooling_packages_stay_out_of_the_runtime_lock():
    runtime = set(pins("requirements.txt"))
    for tool in ("pytest", "pytest-django", "ruff", "playwright", "hypothesis", "factory-boy", "moto"):
        assert tool not in runtime
        assert tool in pins("requirements-dev.txt")


def test_packages_in_both_locks_share_one_version():
    runtime, dev = pins("requirements.txt"), pins("requirements-dev.txt")
    shared = runtime.keys() & dev.keys()
    assert {name: (runtime[name], dev[name]) for name in shared if runtime[name] != dev[name]} == {}
