"""The `videodistill` and `convert-weights` commands of an installed wheel: the programs inside the package (built
with the Swift runtime linked in), run in place of this process. `videodistill index` and `videodistill ask` (the
corpus, videodistill.corpus) are Python, run here."""

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))

#: The subcommands this package runs itself (videodistill/_corpus_cli.py); the program gets every other one.
PYTHON_COMMANDS = ("index", "ask")


def _run(name, checkout_name):
    inside = os.path.join(_HERE, "bin", name)
    if not os.path.exists(inside):   # an editable install: the checkout's build
        root = os.path.normpath(os.path.join(_HERE, "..", "..", ".."))
        inside = os.path.join(root, ".build", "release", checkout_name)
    if not os.path.exists(inside):
        sys.exit(f"{name}: not in this installation ({os.path.join(_HERE, 'bin', name)}); build the wheel with "
                 "`pip wheel Sources/python` or the checkout with `swift build -c release`")
    os.execv(inside, [name] + sys.argv[1:])


def videodistill():
    if len(sys.argv) > 1 and sys.argv[1] in PYTHON_COMMANDS:
        from ._corpus_cli import main
        sys.exit(main(sys.argv[1:]))
    _run("videodistill", "videodistill-cli")


def convert_weights():
    _run("convert-weights", "convert-weights")
