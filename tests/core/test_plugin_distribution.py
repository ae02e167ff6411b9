"""A fifth plugin installed as a real distribution (dist-info with an entry point), found like any third party's.

The example plugin's source is tests/fixtures/example_plugin/xingfeng_revisit (quoted by docs/plugins.md). Each
check runs in its own interpreter on its own database, so that the plugin's entry point, models and object
loaders never reach the rest of the suite: ``xingfeng db upgrade`` builds the schema as a deployment does, then
tests/fixtures/example_plugin/scenario.py drives the app.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
import uuid
from pathlib import Path

import pytest
from fixtures.app import ON_POSTGRES, OWNER_URL, POSTGRES_URL
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "tests" / "fixtures" / "example_plugin"
PACKAGE = EXAMPLE / "xingfeng_revisit"


def install(site: Path) -> None:
    """What ``pip install`` leaves in site-packages: the package, and a dist-info with the entry points that the
    example's pyproject.toml declares."""
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    shutil.copytree(PACKAGE, site / "xingfeng_revisit", ignore=shutil.ignore_patterns("__pycache__"))
    info = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir()
    metadata = f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
    (info / "METADATA").write_text(metadata, encoding="utf-8")
    groups = project["entry-points"]
    points = "".join(f"[{g}]\n" + "".join(f"{k} = {v}\n" for k, v in eps.items()) for g, eps in groups.items())
    (info / "entry_points.txt").write_text(points, encoding="utf-8")


@pytest.fixture
def database(tmp_path):
    """Settings for a database of this test's own: a SQLite file, or on PostgreSQL a schema of its own."""
    if not ON_POSTGRES:
        yield {"DATABASE_URL": f"sqlite:///{tmp_path / 'plugin.sqlite3'}", "MIGRATIONS_DATABASE_URL": ""}
        return
    schema = f"plugin_{uuid.uuid4().hex[:8]}"
    owner = create_engine(OWNER_URL)  # the schema owner, as it runs the migrations
    with owner.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
        conn.execute(text(f"GRANT USAGE ON SCHEMA {schema} TO xingfeng_app, xingfeng_reader"))
    search = f"options=-csearch_path%3D{schema}"
    sep = lambda url: "&" if "?" in url else "?"  # noqa: E731
    try:
        yield {
            "DATABASE_URL": f"{POSTGRES_URL}{sep(POSTGRES_URL)}{search}",
            "MIGRATIONS_DATABASE_URL": f"{OWNER_URL}{sep(OWNER_URL)}{search}",
        }
    finally:
        with owner.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        owner.dispose()


def run(args: list[str], site: Path | None, database: dict) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "MIGRATIONS_DATABASE_URL", "READER_DATABASE_URL")
    }
    env.pop("XINGFENG_DISABLE_PLUGINS", None)
    env.update({k: v for k, v in database.items() if v})
    env["PYTHONPATH"] = os.pathsep.join([*([str(site)] if site else []), str(ROOT), str(ROOT / "tests")])
    env["XINGFENG_DEV"] = "1"
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


def xingfeng(*args: str) -> list[str]:
    """The ``xingfeng`` command, run by this interpreter (the console script of the same environment)."""
    return [sys.executable, "-c", "from core.cli import main; main()", *args]


def test_an_installed_plugin_brings_its_table_api_page_figure_checklist_and_sweep(tmp_path, database):
    site = tmp_path / "site-packages"
    site.mkdir()
    install(site)
    upgraded = run(xingfeng("db", "upgrade"), site, database)
    assert "revisit_0001" in upgraded.stderr + upgraded.stdout
    heads = run(xingfeng("db", "heads"), site, database).stdout
    assert "revisit_0001 (revisit) (head)" in heads
    listed = run(xingfeng("plugins"), site, database).stdout
    assert "revisit  办件回访 (Service follow-up calls)  [xingfeng-revisit 0.1]" in listed
    done = run([sys.executable, str(EXAMPLE / "scenario.py"), "installed"], site, database)
    assert "installed: ok" in done.stdout
    assert re.search(r"for 2024-06-03: .*plugins 1", done.stdout), done.stdout  # the first sweep records one


def test_without_the_plugin_the_core_starts_and_its_urls_are_404(tmp_path, database):
    run(xingfeng("db", "upgrade"), None, database)
    assert "revisit" not in run(xingfeng("db", "heads"), None, database).stdout
    done = run([sys.executable, str(EXAMPLE / "scenario.py"), "absent"], None, database)
    assert "absent: ok" in done.stdout


def test_the_example_plugin_imports_only_the_plugin_api():
    allowed = {"core.plugin_api", "flask", "marshmallow", "sqlalchemy", "sqlalchemy.orm", "alembic", "pathlib",
               "datetime", "__future__"}  # fmt: skip
    for path in PACKAGE.rglob("*.py"):
        for module in re.findall(r"^(?:from|import) (\S+)", path.read_text(encoding="utf-8"), re.M):
            assert module in allowed or module.startswith("xingfeng_revisit"), (path.name, module)


def test_the_guide_quotes_the_example_as_it_is():
    """docs/plugins.md walks through these files: each is quoted whole, so the guide's code is the tested code."""
    guide = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    quoted = [EXAMPLE / "pyproject.toml", *sorted(p for p in PACKAGE.rglob("*") if p.suffix in (".py", ".html"))]
    for path in quoted:
        assert path.read_text(encoding="utf-8").rstrip("\n") in guide, path.relative_to(ROOT)
