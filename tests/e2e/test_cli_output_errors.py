"""Standard output that cannot take the report: a pipe closed by ``head``, a full device.

Every format ends the same way: a closed pipe is the reader's choice (exit 0, no
word); a full device is one line on stderr and exit 1; never a traceback.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.e2e.test_cli import GAL_FRIDAY, HISTORY, run

FORMATS = ["table", "csv", "json"]


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('output') / 'galfriday.db'}"
    assert run(url, "db", "upgrade").returncode == 0
    imported = run(url, "import", str(HISTORY), "--format", "kraken-trades")
    assert imported.returncode == 0, imported.stderr
    return url


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "GALFRIDAY_DATABASE_URL": url}


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_pipe_closed_by_its_reader_ends_the_command_quietly(sqlite_url, fmt):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader (`| head`) has gone: every write meets a closed pipe
    try:
        done = subprocess.run(
            [GAL_FRIDAY, "report", "--format", fmt],
            stdout=write_end,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=_env(sqlite_url),
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (0, "")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_full_device_is_one_line_and_exit_1(sqlite_url, fmt):
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [GAL_FRIDAY, "report", "--format", fmt],
            stdout=full,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=_env(sqlite_url),
            timeout=120,
            check=False,
        )
    assert done.returncode == 1
    assert done.stderr == "error: cannot write the output: No space left on device\n"
