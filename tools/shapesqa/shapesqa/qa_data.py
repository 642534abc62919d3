"""Question-answer records of one split over cached frame tokens: answer ids, token ids, event masks."""

import numpy as np
import torch

from .vocab import ANSWERS, CATEGORIES


class QASplit:
    """Per record: video row, answer id, category id, template, question ids row, event mask [N] (sampled frames
    inside the question's brief-evidence windows)."""

    def __init__(self, frames, tok, ctx):
        recs = frames.records
        self.records = recs
        self.video = np.array([frames.video_index[r["video"]] for r in recs])
        self.answer = torch.tensor([ANSWERS.index(r["answer"]) for r in recs])
        self.category = np.array([CATEGORIES.index(r["category"]) for r in recs])
        self.template = np.array([r["template"] for r in recs])
        questions = sorted({r["question"] for r in recs})
        row = {q: i for i, q in enumerate(questions)}
        self.question_ids = torch.as_tensor(np.stack([tok.tokenize(q, ctx) for q in questions]))
        self.question = np.array([row[r["question"]] for r in recs])
        self.windows = [r["event_frames"] for r in recs]
        self.event_mask = np.stack([frames.in_windows(w) for w in self.windows])  # [Q, N]

    def __len__(self):
        return len(self.records)


def hit_rates(selected, event_mask):
    """selected [Q, K], event_mask [Q, N] -> (any: a selected frame inside the window, per question [Q];
    fraction of the K selected frames inside, per question [Q])."""
    inside = np.take_along_axis(event_mask, selected, axis=1)  # [Q, K]
    return inside.any(1), inside.mean(1)
