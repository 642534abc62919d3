import json
import os

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "..", "..", "Tests", "Fixtures"))
FIXTURE_NAMES = ["tiny_a", "tiny_b"]


class Fixture:
    def __init__(self, name):
        self.name, self.dir = name, os.path.join(FIXTURES, name)

    def npy(self, key):
        return np.load(os.path.join(self.dir, key + ".npy"))

    def json(self, key):
        with open(os.path.join(self.dir, key + ".json"), encoding="utf-8") as f:
            return json.load(f)

    def path(self, file):
        return os.path.join(self.dir, file)


@pytest.fixture(params=FIXTURE_NAMES)
def fixture(request):
    return Fixture(request.param)


@pytest.fixture(scope="session")
def torch():
    """PyTorch for the tests that need it, imported when such a test runs, never while the suite is collected
    (test_collection.py checks that); without torch those tests skip with this message."""
    return pytest.importorskip("torch", reason="torch is not installed: this torch-oracle test is skipped "
                                               "(VD_TORCH=1 bash tools/test-all.sh runs it)")


def tolerance(ref):
    """SPEC 8 fp32: 1e-4 * max(1, max |reference|)."""
    return 1e-4 * max(1.0, float(np.abs(ref).max()) if ref.size else 1.0)
