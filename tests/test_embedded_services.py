"""The embedded PostgreSQL of `make run`/`make test` keeps data it cannot open instead of failing on it."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "embedded_services.py"


@pytest.fixture
def embedded_services():
    """The scripts/embedded_services.py module (a script, not a package)."""
    spec = importlib.util.spec_from_file_location("embedded_services", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_cluster(directory, major_version):
    directory.mkdir()
    (directory / "PG_VERSION").write_text(f"{major_version}\n")
    (directory / "postgresql.conf").write_text("# a reader's settings\n")


def test_data_of_an_older_postgresql_is_set_aside_whole(embedded_services, tmp_path, capsys):
    data = tmp_path / "pgdata"
    make_cluster(data, 16)
    embedded_services.set_aside_older_cluster(data, "18")
    assert not data.exists()
    assert (tmp_path / "pgdata-16" / "postgresql.conf").read_text() == "# a reader's settings\n"
    assert "pgdata-16" in capsys.readouterr().out


def test_data_of_the_same_version_stays_where_it_is(embedded_services, tmp_path, capsys):
    data = tmp_path / "pgdata"
    make_cluster(data, 18)
    embedded_services.set_aside_older_cluster(data, "18")
    assert (data / "PG_VERSION").read_text() == "18\n"
    assert capsys.readouterr().out == ""


def test_a_second_old_cluster_never_overwrites_the_first(embedded_services, tmp_path):
    data = tmp_path / "pgdata"
    make_cluster(data, 16)
    make_cluster(tmp_path / "pgdata-16", 16)
    with pytest.raises(SystemExit, match="move or delete one of them"):
        embedded_services.set_aside_older_cluster(data, "18")
    assert (data / "PG_VERSION").exists()
