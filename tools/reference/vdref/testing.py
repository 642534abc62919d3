"""What the Python test suites share: the reference's (tools/reference/tests) and the command's (Tests/command).

The committed fixtures that vdref.fixtures writes (Tests/Fixtures/tiny_a, tiny_b) as tests read them, SPEC 8's
fp32 tolerance, the `torch` fixture that keeps torch out of collection, and the checkout's built programs
(convert-weights, the videodistill command). A module of the installed reference package, so that the suites'
conftest.py files and tests import it by name and no test puts a folder on sys.path. Needs pytest; never imports
torch while a suite is collected (tools/reference/tests/test_collection.py checks that).
"""

import glob
import json
import os
import subprocess

import numpy as np
import pytest

#: The checkout this package is installed from (editable: tools/python-env.sh).
REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
FIXTURES = os.path.join(REPO, "Tests", "Fixtures")
FIXTURE_NAMES = ["tiny_a", "tiny_b"]

# The uint8 frame pipeline differs from the fixtures' float64 one by up to ~1.5e-4 after mean/std, so the
# logits get SPEC 8's tolerance times 10 (as the Swift tests' uint8 path does).
UINT8_PATH_FACTOR = 10


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


def tolerance(ref):
    """SPEC 8 fp32: 1e-4 * max(1, max |reference|)."""
    return 1e-4 * max(1.0, float(np.abs(ref).max()) if ref.size else 1.0)


@pytest.fixture(scope="session")
def torch():
    """PyTorch for the tests that need it, imported when such a test runs, never while the suite is collected
    (test_collection.py checks that); without torch those tests skip with this message."""
    return pytest.importorskip("torch", reason="torch is not installed: this torch-oracle test is skipped "
                                               "(VD_TORCH=1 bash tools/test-all.sh runs it)")


# ---------------------------------------------------------------------------------------------------------------
# The programs of the build tree


def built(env, names):
    """A binary: $env, else the newest executable named one of `names` under .build*/<config>/."""
    if os.environ.get(env):
        return os.environ[env]
    found = [p for n in names for p in glob.glob(os.path.join(REPO, ".build*", "*", n))
             if os.path.isfile(p) and os.access(p, os.X_OK)]
    found += [p for n in names for p in glob.glob(os.path.join(REPO, ".build", "*", "*", n))
              if os.path.isfile(p) and os.access(p, os.X_OK)]
    if not found:
        pytest.skip(f"{names[0]} is not built (run `swift build` or set {env})")
    return max(found, key=os.path.getmtime)


def run(cli, *args, stdin=None, env=None):
    return subprocess.run([cli] + [a if isinstance(a, bytes) else str(a) for a in args], input=stdin,
                          capture_output=True, timeout=300, env=env)


def encode(ffmpeg, frames, path, args):
    """frames [F, H, W, 3] uint8 -> `path` at 25 fps through ffmpeg with output arguments `args`."""
    F, H, W, _ = frames.shape
    r = subprocess.run([ffmpeg, "-nostdin", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
                        "-s", f"{W}x{H}", "-r", "25", "-i", "-"] + args + [str(path)],
                       input=np.ascontiguousarray(frames).tobytes(), capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    return str(path)
