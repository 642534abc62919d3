import json
import os
import subprocess

import numpy as np
import pytest

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures")


def _binary(name):
    env = os.environ.get(name.upper().replace("-", "_"))  # e.g. CONVERT_WEIGHTS
    if env:
        return env
    for config in ("debug", "release"):
        path = os.path.join(ROOT, ".build", config, name)
        if os.path.exists(path):
            return path
    return None


def _library_available():
    try:
        import videodistill  # noqa: F401
        return True
    except OSError:
        return False


requires_library = pytest.mark.skipif(not _library_available(),
                                      reason="libvideodistill.so is not built: run `swift build` first")


class Fixture:
    def __init__(self, name, model_path):
        self.name, self.dir, self.model_path = name, os.path.join(FIXTURES, name), model_path

    def npy(self, key):
        return np.load(os.path.join(self.dir, key + ".npy"))

    def json(self, key):
        with open(os.path.join(self.dir, key + ".json"), encoding="utf-8") as f:
            return json.load(f)


@pytest.fixture(scope="session")
def converted(tmp_path_factory):
    """Each fixture's ONNX pair converted with the project's convert-weights."""
    tool = _binary("convert-weights")
    if tool is None:
        pytest.skip("convert-weights is not built: run `swift build` first")
    out = {}
    for name in ("tiny_a", "tiny_b"):
        path = str(tmp_path_factory.mktemp(name) / "model.gguf")
        src = os.path.join(FIXTURES, name)
        subprocess.run([tool, os.path.join(src, "frame_encoder.onnx"), os.path.join(src, "answerer.onnx"),
                        "-o", path], check=True, capture_output=True)
        out[name] = Fixture(name, path)
    return out


@pytest.fixture(params=["tiny_a", "tiny_b"])
def fixture(request, converted):
    return converted[request.param]


def tolerance(ref):
    """SPEC 8 fp32: 1e-4 * max(1, max |reference|)."""
    return 1e-4 * max(1.0, float(np.abs(ref).max()))
