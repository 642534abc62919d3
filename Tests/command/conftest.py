"""The `videodistill` command's Python tests (and convert-weights', run as an installed program): the built
binaries of the checkout on the reference's fixtures. What they share with the reference suite (the fixtures as
tests read them, SPEC 8's tolerance, finding and running the built programs, the `torch` fixture) is the installed
module vdref.testing; nothing here touches sys.path. Run: .venv/bin/python -m pytest -q Tests/command
"""

import shutil

import pytest

from vdref.testing import built
from vdref.testing import torch  # noqa: F401  (a fixture: PyTorch where a test needs it, else a skip)


@pytest.fixture(scope="module")
def cli():
    """The built `videodistill` command ($VIDEODISTILL, else the newest build)."""
    return built("VIDEODISTILL", ["videodistill-cli", "videodistill"])


@pytest.fixture(scope="module")
def ffmpeg():
    path = shutil.which("ffmpeg")
    if path is None:
        pytest.skip("the ffmpeg command is not installed (Debian package ffmpeg)")
    return path
