"""Dependencies run one way: readers (accounts) → blog, authoring → blog, search → blog.

Read from the source, so a new import that turns an arrow around fails here before it becomes
an import circle at start-up.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings

# app: the apps it must never import
FORBIDDEN = {
    "blog": {"accounts", "authoring", "search"},
    "accounts": {"authoring", "search"},
    "search": {"accounts", "authoring"},
}


def imported_apps(path):
    """The first component of every module `path` imports (relative imports stay in their app)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_an_app_imports_nothing_of_the_apps_that_depend_on_it(app):
    wrong = [
        f"{path.relative_to(settings.BASE_DIR)} imports {imported}"
        for path in sorted((Path(settings.BASE_DIR) / app).rglob("*.py"))
        for imported in imported_apps(path)
        if imported in FORBIDDEN[app]
    ]
    assert not wrong, wrong


def test_the_check_sees_an_import_written_either_way(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("import authoring.roles\nfrom accounts.models import Follow\nfrom . import models\n")
    assert list(imported_apps(module)) == ["authoring", "accounts"]
