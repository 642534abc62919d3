"""ShapesQA's closed vocabulary: colours, shapes, the answer list (the QA head's logit order) and categories."""

#: Colour name -> RGB. Distinct in hue so that x264's 4:2:0 chroma keeps them apart at 64 x 64.
COLOURS = {
    "red": (225, 45, 45),
    "green": (45, 200, 70),
    "blue": (55, 95, 235),
    "yellow": (235, 220, 40),
    "purple": (170, 65, 225),
    "cyan": (40, 215, 225),
}
SHAPES = ["circle", "square", "triangle", "cross"]
#: Plural forms used in counting questions.
PLURALS = {"circle": "circles", "square": "squares", "triangle": "triangles", "cross": "crosses"}
#: Counting answers: persistent objects of one shape (0..4) or in total (2..4).
COUNTS = ["0", "1", "2", "3", "4"]
#: Answers of "which happened first" questions.
EVENTS = ["flash", "appearance"]

#: Every answer string, in the QA head's logit order.
ANSWERS = list(COLOURS) + SHAPES + COUNTS + EVENTS

#: Question categories: (a) needle (a brief event), (b) temporal order, (c) counting, (d) attribute.
CATEGORIES = ["needle", "order", "counting", "attribute"]

BACKGROUND = (38, 38, 42)
FLASH = (255, 255, 255)

#: The candidate groups of multiple choice (and of VTM's negatives): the answers of one kind.
ANSWER_GROUPS = [list(COLOURS), SHAPES, COUNTS, EVENTS]


def group_of(answer):
    """The candidate group (a list of answer strings) that holds `answer`."""
    return next(g for g in ANSWER_GROUPS if answer in g)
