"""python -m videodistill index|ask ... (the corpus commands); any other command is the `videodistill` program's."""

import sys

from ._commands import videodistill

if __name__ == "__main__":
    sys.argv[0] = "videodistill"
    videodistill()
