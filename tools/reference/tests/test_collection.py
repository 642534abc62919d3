"""Collecting the Python suites never imports torch, so they collect (and their torch-free tests run) on a
machine without it: torch is imported only inside the tests that need it (conftest's `torch` fixture). Each
suite is collected in a fresh interpreter whose import system refuses and records every `import torch`, whether
or not torch is installed."""

import os
import subprocess
import sys

import pytest

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))

COLLECT = r"""
import importlib.abc, sys
attempts = []

class RefuseTorch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            attempts.append(name)
            raise ModuleNotFoundError(f"No module named {name!r} (refused while collecting)", name=name)
        return None

sys.meta_path.insert(0, RefuseTorch())
import pytest
status = pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", sys.argv[1]])
print("TORCH IMPORTS:", attempts, "IN sys.modules:", "torch" in sys.modules)
sys.exit(int(status))
"""


@pytest.mark.parametrize("suite", ["tools/reference/tests", "Sources/python/tests", "Tests/command"])
def test_collecting_never_imports_torch(suite):
    r = subprocess.run([sys.executable, "-c", COLLECT, suite], cwd=REPO, capture_output=True, text=True, timeout=300)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-4000:]
    assert "TORCH IMPORTS: [] IN sys.modules: False" in out, out[-4000:]
    collected = [line for line in r.stdout.splitlines() if "::" in line]
    assert len(collected) > 10, out[-4000:]
