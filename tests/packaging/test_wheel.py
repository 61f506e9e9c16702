"""The built wheel: one top-level name, every data file, and it installs beside a user's own code.

A user's service commonly has its own ``domain`` and ``cli`` packages; the library must not
take those names (issue 12).
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

PACKAGES = ("domain", "persistence", "importers", "services", "cli", "migrations")
TYPED = ("domain", "persistence", "importers", "services", "cli")


def _names(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def test_the_only_top_level_name_is_gal_friday(wheel):
    top = {name.split("/", 1)[0] for name in _names(wheel)}
    dist_info = {name for name in top if name.endswith(".dist-info")}
    assert len(dist_info) == 1
    assert top - dist_info == {"gal_friday"}


def test_gal_friday_is_a_namespace_with_the_repository_folders_as_subpackages(wheel):
    names = set(_names(wheel))
    assert "gal_friday/__init__.py" not in names  # others in the Gal-Friday system may add to it
    for package in PACKAGES:
        marker = "env.py" if package == "migrations" else "__init__.py"
        assert f"gal_friday/{package}/{marker}" in names


def test_the_wheel_carries_migrations_samples_data_and_type_markers(wheel):
    names = set(_names(wheel))
    repo = Path(__file__).resolve().parents[2]
    revisions = {
        f"gal_friday/migrations/versions/{p.name}" for p in repo.glob("migrations/versions/*.py")
    }
    samples = {f"gal_friday/importers/samples/{p.name}" for p in repo.glob("importers/samples/*")}
    assert revisions and samples
    assert revisions <= names
    assert samples <= names
    data = {f"gal_friday/importers/data/{p.name}" for p in repo.glob("importers/data/*.json")}
    assert data and data <= names
    assert "gal_friday/migrations/script.py.mako" in names
    assert {f"gal_friday/{package}/py.typed" for package in TYPED} <= names


USER_DOMAIN = '''"""A user's own domain package."""
WHO = "user domain"
'''
USER_CLI = '''"""A user's own cli package."""
WHO = "user cli"
'''
CHECK_IMPORTS = """
import domain, cli
from gal_friday.domain import Order
from gal_friday.persistence.unit_of_work import UnitOfWork
import gal_friday.cli.main, gal_friday.domain
assert domain.WHO == "user domain", domain.__file__
assert cli.WHO == "user cli", cli.__file__
print(Order.__module__, UnitOfWork.__module__, gal_friday.domain.__file__, gal_friday.cli.main.__file__)
"""


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    """A fresh venv holding only the wheel (no dependencies, no network) and a user's own
    top-level ``domain`` and ``cli``; the dependencies come from this test run's environment,
    appended to ``sys.path`` by a ``.pth`` file (after the venv's own site-packages)."""
    venv = tmp_path_factory.mktemp("venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    before = set(os.listdir(site))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    added = set(os.listdir(site)) - before
    for name, text in (("domain", USER_DOMAIN), ("cli", USER_CLI)):
        (site / name).mkdir()
        (site / name / "__init__.py").write_text(text)
    (site / "zz_test_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return venv, added


def _run(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_installing_adds_only_gal_friday_and_its_dist_info(installed):
    _, added = installed
    dist_info = {name for name in added if name.endswith(".dist-info")}
    assert len(dist_info) == 1
    assert added - dist_info == {"gal_friday"}


def test_a_users_domain_and_cli_live_beside_the_library(installed, tmp_path):
    venv, _ = installed
    result = _run(venv, str(venv / "bin" / "python"), "-c", CHECK_IMPORTS, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    order_module, uow_module, *files = result.stdout.split()
    assert order_module.startswith("gal_friday.domain.")
    assert uow_module == "gal_friday.persistence.unit_of_work"
    assert all(Path(file).is_relative_to(venv) for file in files)  # the wheel's, not the tree's


def test_the_console_script_migrates_imports_and_reports(installed, tmp_path):
    venv, _ = installed
    gal_friday = str(venv / "bin" / "gal-friday")
    help_text = _run(venv, gal_friday, "--help", cwd=tmp_path)
    assert help_text.returncode == 0, help_text.stderr[-2000:]
    assert "Usage: gal-friday" in help_text.stdout
    url = f"sqlite:///{tmp_path / 'wheel.db'}"
    sample = _run(
        venv,
        str(venv / "bin" / "python"),
        "-c",
        "from importlib.resources import files; "
        "print(files('gal_friday.importers') / 'samples' / 'kraken-trades-sample.csv')",
        cwd=tmp_path,
    ).stdout.strip()
    assert Path(sample).is_relative_to(venv)
    for args in (
        ["db", "upgrade"],
        ["import", sample, "--format", "kraken-trades"],
        ["report", "--format", "json"],
    ):
        result = _run(venv, gal_friday, "--database-url", url, *args, cwd=tmp_path)
        assert result.returncode == 0, (args, result.stderr[-2000:])
    assert '"total_trades"' in result.stdout
