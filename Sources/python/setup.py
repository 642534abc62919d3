"""Builds the wheel that installs anywhere: `pip wheel Sources/python` (from a checkout) compiles the runtime with
the Swift runtime linked in statically (swift build -c release -Xswiftc -static-stdlib, scratch .build-wheel) and
puts libvideodistill_video.so and the `videodistill` and `convert-weights` programs inside the package, so the
installed wheel needs no Swift toolchain (only Debian's libopenblas, FFmpeg and, for convert-weights, libonnx and
libprotobuf). An editable install (pip install -e) builds nothing: it finds the checkout's .build/ as before.
"""

import os
import shutil
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1
    from wheel.bdist_wheel import bdist_wheel

HERE = os.path.dirname(os.path.abspath(__file__))
#: What the wheel carries: (SwiftPM product, file it builds, name inside the package).
RUNTIME = [("videodistill_video", "libvideodistill_video.so", "libvideodistill_video.so"),
           ("videodistill-cli", "videodistill-cli", "bin/videodistill"),
           ("convert-weights", "convert-weights", "bin/convert-weights")]


def checkout_root():
    d = HERE
    while d != os.path.dirname(d):
        if os.path.exists(os.path.join(d, "Package.swift")):
            return d
        d = os.path.dirname(d)
    raise SystemExit("building the videodistill wheel needs the source checkout (Package.swift above " + HERE + ")")


class BuildWithRuntime(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        root = checkout_root()
        scratch = os.path.join(root, ".build-wheel")
        for product, built, inside in RUNTIME:
            subprocess.run(["swift", "build", "-c", "release", "--scratch-path", scratch, "-Xswiftc", "-static-stdlib",
                            "--product", product], cwd=root, check=True)
            target = os.path.join(self.build_lib, "videodistill", inside)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy2(os.path.join(scratch, "release", built), target)
            subprocess.run(["strip", "--strip-debug", target], check=True)


class BinaryDistribution(Distribution):
    def has_ext_modules(self):
        return True   # a platform wheel: it holds machine code


class PlatformWheel(bdist_wheel):
    def get_tag(self):
        _, _, platform = super().get_tag()
        return "py3", "none", platform   # ctypes: any Python 3, one platform


setup(distclass=BinaryDistribution, cmdclass={"build_py": BuildWithRuntime, "bdist_wheel": PlatformWheel})
