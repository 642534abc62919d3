"""convert-weights and the videodistill command, copied to a folder outside the checkout and run from `/` with the
checkout hidden (a private mount namespace lays an empty tmpfs over it), convert a fixture and answer a question
about an example video exactly as the same binaries do in the checkout: nothing they need lives in the source
tree. Needs root and util-linux's unshare (skipped otherwise) and the built binaries, like test_cli.py."""

import os
import shutil
import subprocess

import pytest

from vdref.testing import REPO, Fixture, built


def hidden_checkout(script, env=None):
    """Runs a shell script from / in a mount namespace where REPO is an empty folder."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("hiding the checkout needs root and unshare (util-linux)")
    probe = subprocess.run(["unshare", "--mount", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"unshare --mount is not permitted here: {probe.stderr.decode(errors='replace').strip()}")
    full = f'set -e; mount -t tmpfs none "{REPO}"; [ -z "$(ls -A "{REPO}")" ]; cd /; {script}'
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", full],
                          capture_output=True, text=True, timeout=300, cwd="/", env=env)


def test_installed_tools_work_without_the_checkout(tmp_path):
    converter = built("CONVERT_WEIGHTS", ["convert-weights"])
    cli = built("VIDEODISTILL", ["videodistill-cli", "videodistill"])
    fx = Fixture("tiny_a")
    bin_dir, data = tmp_path / "bin", tmp_path / "data"
    bin_dir.mkdir()
    data.mkdir()
    shutil.copy2(converter, bin_dir / "convert-weights")
    shutil.copy2(cli, bin_dir / "videodistill")
    for name in ("frame_encoder.onnx", "answerer.onnx"):
        shutil.copy2(fx.path(name), data / name)
    shutil.copy2(os.path.join(REPO, "examples", "models", "shapesqa.gguf"), data / "shapesqa.gguf")
    shutil.copy2(os.path.join(REPO, "examples", "videos", "example_0.mp4"), data / "example_0.mp4")
    with open(os.path.join(REPO, "examples", "videos", "example_0.question.txt"), encoding="utf-8") as f:
        question = f.read().strip()

    def commands(convert, answer, model_out):
        conv = f'"{convert}" "{data}/frame_encoder.onnx" "{data}/answerer.onnx" -o "{model_out}" --name fixture'
        ask = [f'"{answer}" answer --model "{m}" --video "{data}/example_0.mp4" --question "{question}" --json'
               for m in (model_out, data / "shapesqa.gguf")]
        return conv, ask

    # In the checkout: the build tree's binaries.
    conv, ask = commands(converter, cli, tmp_path / "in-tree.gguf")
    want = [subprocess.run(c, shell=True, capture_output=True, text=True, timeout=300) for c in [conv] + ask]
    assert all(r.returncode == 0 for r in want), [r.stderr for r in want]

    # Installed copies, checkout hidden.
    conv, ask = commands(bin_dir / "convert-weights", bin_dir / "videodistill", data / "model.gguf")
    marker = "@@@"
    r = hidden_checkout(f"{conv} >/dev/null; echo {marker}; {ask[0]}; echo {marker}; {ask[1]}")
    assert r.returncode == 0, r.stderr
    _, fixture_answer, shipped_answer = r.stdout.split(marker + "\n")
    assert fixture_answer == want[1].stdout and shipped_answer == want[2].stdout
    with open(tmp_path / "in-tree.gguf", "rb") as a, open(data / "model.gguf", "rb") as b:
        assert a.read() == b.read()
