"""Readers' tests meet writers too (an author's profile, an editor's upload): the same fixtures
as authoring's tests."""

from tests.authoring.conftest import author, editor, other_author, roles  # noqa: F401 (fixtures)
