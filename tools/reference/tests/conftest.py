"""The reference suite's fixtures; what it shares with the command's suite (Tests/command) is vdref.testing."""

import pytest

from vdref.testing import FIXTURE_NAMES, FIXTURES, Fixture, tolerance, torch  # noqa: F401  (torch: a fixture)


@pytest.fixture(params=FIXTURE_NAMES)
def fixture(request):
    return Fixture(request.param)
