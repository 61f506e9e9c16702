"""One package with the bot (issue 24, item 6; docs/database.md, "Sharing a package").

The bot has a regular ``gal_friday/__init__.py`` and ``gal_friday/services/__init__.py``. With
the library installed as a wheel (not editable, which hides the problem), ``gal_friday.persistence``
is found only once both ``__init__`` files extend their ``__path__`` (``pkgutil.extend_path``),
as documented; the command is reachable as ``python -m gal_friday.cli`` and ``gal-friday-db``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

EXTEND_PATH = '''"""The bot's own package (docs/database.md recipe)."""
from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)
'''
PLAIN = '"""The bot\'s own package, as it was."""\n'
BOT_TRADING = '''"""The bot's own service."""
WHO = "the bot"
'''
CHECK = """
import gal_friday, gal_friday.services.trading as trading
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.retention import prune
import gal_friday.cli.main
assert trading.WHO == "the bot", trading.__file__
print(trading.__file__, UnitOfWork.__module__, prune.__module__, gal_friday.cli.main.__file__)
"""


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory):
    """A fresh venv with the wheel alone; dependencies from this run's environment (.pth)."""
    target = tmp_path_factory.mktemp("shared") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(target)], check=True)
    python = target / "bin" / "python"
    installed = subprocess.run(
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
    assert installed.returncode == 0, installed.stderr[-2000:]
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site) / "zz_test_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return target


def _bot(root: Path, init: str) -> Path:
    """The bot's source tree: a regular gal_friday package with its own services."""
    (root / "gal_friday" / "services").mkdir(parents=True)
    (root / "gal_friday" / "__init__.py").write_text(init)
    (root / "gal_friday" / "services" / "__init__.py").write_text(init)
    (root / "gal_friday" / "services" / "trading.py").write_text(BOT_TRADING)
    return root


def _python(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(cwd)  # the bot runs from its source tree
    return subprocess.run(
        [str(venv / "bin" / "python"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_without_extend_path_the_bots_package_hides_the_library(venv, tmp_path):
    bot = _bot(tmp_path / "bot", PLAIN)
    result = _python(venv, "-c", "import gal_friday.persistence", cwd=bot)
    assert result.returncode != 0
    assert "No module named 'gal_friday.persistence'" in result.stderr


def test_with_extend_path_in_both_inits_the_bot_and_the_library_share_gal_friday(venv, tmp_path):
    bot = _bot(tmp_path / "bot", EXTEND_PATH)
    result = _python(venv, "-c", CHECK, cwd=bot)
    assert result.returncode == 0, result.stderr[-2000:]
    trading, uow_module, prune_module, cli_file = result.stdout.split()
    assert Path(trading).is_relative_to(bot)
    assert uow_module == "gal_friday.persistence.unit_of_work"
    assert prune_module == "gal_friday.services.retention"
    assert Path(cli_file).is_relative_to(venv)  # the wheel's, not this repository's


def test_the_command_is_reachable_without_the_gal_friday_script_name(venv, tmp_path):
    bot = _bot(tmp_path / "bot", EXTEND_PATH)
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgraded = _python(
        venv, "-m", "gal_friday.cli", "--database-url", url, "db", "upgrade", cwd=bot
    )
    assert upgraded.returncode == 0, upgraded.stderr[-2000:]
    assert "(the newest)" in upgraded.stdout
    alias = subprocess.run(
        [str(venv / "bin" / "gal-friday-db"), "--database-url", url, "db", "current"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert alias.returncode == 0, alias.stderr[-2000:]
    assert "(up to date)" in alias.stdout
