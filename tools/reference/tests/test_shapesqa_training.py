"""ShapesQA stage 2's training pieces (tools/shapesqa: train.py, shapesqa.variants, shapesqa.init.time_prior):
the REINFORCE selection gradient against its formula written out by hand, the draws against gathering the same
frames, the ablations' defining properties, the stratified start, the VTM / CL texts."""

import importlib.util
import os

import numpy as np

from shapesqa.vocab import ANSWER_GROUPS, ANSWERS, group_of

SHAPESQA = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shapesqa"))


def _train():
    spec = importlib.util.spec_from_file_location("shapesqa_train", os.path.join(SHAPESQA, "train.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _model(torch, variant="videodistill", prior=True):
    from shapesqa.init import init_for_training, time_prior
    from shapesqa.model_config import CONFIG
    from shapesqa.variants import use_cross_attention
    from vdref.model import VideoDistill
    torch.manual_seed(0)
    model = VideoDistill(CONFIG, ANSWERS, heads=("qa",))
    if variant == "cross-attn":
        use_cross_attention(model)
    init_for_training(model, 0)
    if prior:
        time_prior(model, 0)
    return model


def _ids(model, *questions):
    import torch
    from vdref.tokenizer import Tokenizer
    tok = Tokenizer()
    return torch.as_tensor(np.stack([tok.tokenize(q, model.cfg["context_length"]) for q in questions]))


def test_answer_groups_partition_the_answers():
    assert sorted(a for g in ANSWER_GROUPS for a in g) == sorted(ANSWERS)
    assert all(group_of(a).count(a) == 1 for a in ANSWERS)


def test_policy_loss_is_leave_one_out_reinforce(torch):
    train = _train()
    g = torch.Generator().manual_seed(1)
    S, B, N, K = 4, 3, 6, 2
    logits = torch.randn(B, N, K, generator=g, requires_grad=True)
    sel = torch.randint(0, N, (S, B, K), generator=g)
    loss = torch.rand(S, B, generator=g)
    logp = torch.log_softmax(logits, 1)
    logp_sel = torch.stack([torch.stack([sum(logp[b, sel[s, b, k], k] for k in range(K)) for b in range(B)])
                            for s in range(S)])
    train.policy_loss(logp_sel, loss).backward(retain_graph=True)
    grad = logits.grad.clone()
    # by hand: d/dlogits of mean_{s,b} (L_sb - mean_{s' != s} L_s'b) * log p(sel_sb)
    expected = torch.zeros(B, N, K)
    p = torch.softmax(logits.detach(), 1)
    for s in range(S):
        for b in range(B):
            adv = loss[s, b] - (loss[:, b].sum() - loss[s, b]) / (S - 1)
            for k in range(K):
                onehot = torch.zeros(N)
                onehot[sel[s, b, k]] = 1
                expected[b, :, k] += adv * (onehot - p[b, :, k]) / (S * B)
    assert torch.allclose(grad, expected, atol=1e-6)
    logits.grad = None
    train.policy_loss(logp_sel, torch.full((S, B), 0.7)).backward()   # equal losses: nothing to learn
    assert logits.grad.abs().max() < 1e-7


def test_draws_answer_the_frames_they_drew(torch):
    from shapesqa.variants import draws, refine
    model = _model(torch)
    g = torch.Generator().manual_seed(2)
    tokens = torch.randn(3, 32, 17, 64, generator=g)
    t = model.encode_text(_ids(model, "which shape flashed?", "how many shapes are moving?", "what colour?"))
    torch.manual_seed(3)
    logp, v_star = draws(model, tokens, t, 4)
    torch.manual_seed(3)   # the same draws again, by hand
    logits = model.fs(model.input_proj(tokens[:, :, 0]), t)[0]
    sel = torch.distributions.Categorical(logits=logits.transpose(1, 2)).sample((4,))
    lp = torch.log_softmax(logits, 1)
    for s in range(4):
        for b in range(3):
            idx = sel[s, b]
            chosen = tokens[b, idx, 1:][None]
            ref = model.vr(model.input_proj(chosen), t[b:b + 1])[0]
            assert torch.allclose(v_star[s, b], ref[0], atol=1e-5)
            assert torch.allclose(logp[s, b], lp[b, idx, torch.arange(4)].sum(), atol=1e-5)
    assert torch.allclose(refine(model, tokens, t, sel[0]), v_star[0], atol=1e-5)


def test_time_prior_starts_as_stratified_sampling(torch):
    model = _model(torch)
    g = torch.Generator().manual_seed(4)
    tokens = torch.randn(64, 32, 17, 64, generator=g)   # content of the size stage 1's LayerNormed tokens have
    t = torch.randn(64, 64, generator=g)
    with torch.no_grad():
        p = model.fs(model.input_proj(tokens[:, :, 0]), t)[0].softmax(1)   # [B, N, K]
    N, K = 32, 4
    for k in range(K):
        inside = p[:, k * N // K:(k + 1) * N // K, k].sum(1)
        assert inside.mean() > 0.85, (k, inside.mean())
    plain = _model(torch, prior=False)
    with torch.no_grad():
        q = plain.fs(plain.input_proj(tokens[:, :, 0]), t)[0].softmax(1)
    assert q[:, :8, 0].sum(1).mean() < 0.5   # without it: about a quarter


def test_ablations_do_what_their_names_say(torch):
    from shapesqa.variants import encode_question, refine, variant_answer
    g = torch.Generator().manual_seed(5)
    tokens = torch.randn(2, 32, 17, 64, generator=g)
    sel = torch.tensor([[0, 5, 5, 31], [3, 2, 1, 0]])
    model = _model(torch)
    t = model.encode_text(_ids(model, "which shape flashed?", "how many shapes are moving?"))
    onehot = torch.nn.functional.one_hot(sel, 32).float().transpose(1, 2)   # [B, N, K]
    assert torch.allclose(refine(model, tokens, t, weights=onehot), refine(model, tokens, t, sel), atol=1e-5)
    other = tokens.clone()
    other[:, :, 1:] = torch.randn(2, 32, 16, 64, generator=g)   # new patches, same v_cls
    assert torch.equal(refine(model, tokens, t, sel, variant="no-vr"), refine(model, other, t, sel, variant="no-vr"))
    assert not torch.allclose(refine(model, tokens, t, sel), refine(model, other, t, sel))
    _, usel = variant_answer(model, tokens, t, "uniform")
    from videodistill import uniform_selection
    assert usel.tolist() == [uniform_selection(32, 4)] * 2
    cross = _model(torch, "cross-attn")
    ids = _ids(cross, "which shape flashed?")
    text, mask = encode_question(cross, ids, "cross-attn")
    assert mask.sum() == int((ids[0] != 0).sum())   # start, words, EOT; not the padding
    padded = (text.clone(), mask)
    padded[0][:, ~mask[0]] = 1e3   # what lies after EOT must not matter
    assert torch.allclose(refine(cross, tokens[:1], (text, mask), sel[:1]),
                          refine(cross, tokens[:1], padded, sel[:1]), atol=1e-5)


def test_match_texts_are_the_answer_or_another_of_its_kind(torch):
    train = _train()

    class QA:   # what match_batch reads of a QASplit
        pass
    qa = QA()
    qa.answer = torch.tensor([ANSWERS.index(a) for a in ("red", "circle", "3", "flash")] * 50)
    qa.question = np.arange(200) % 7
    ids = torch.arange(7 * len(ANSWERS)).view(7, len(ANSWERS), 1)   # ids[q, a] names its (q, a)
    rows = np.arange(200)
    texts, label = train.match_batch(qa, rows, ids, np.random.default_rng(0))
    q_of, a_of = texts[:, 0] // len(ANSWERS), texts[:, 0] % len(ANSWERS)
    assert (q_of.numpy() == qa.question).all()
    right = a_of == qa.answer
    assert torch.equal(right, label.bool())
    assert 0.3 < label.float().mean() < 0.7
    for a, c in zip(qa.answer[~right].tolist(), a_of[~right].tolist()):
        assert ANSWERS[c] in group_of(ANSWERS[a]) and c != a
