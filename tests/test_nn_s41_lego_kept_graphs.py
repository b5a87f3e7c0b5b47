"""LEGO's dense backend built every video's relationship graphs and powers
again at every epoch from the same fixed features (shuffled batches of the
same videos): each graph's powers and support are now kept by the graph's
content and served in any batch, with the same numbers as a fresh module;
features that change (a random transform, a trained projection), options
changed in place and inference mode never get a kept graph."""
import copy
import pickle

import pytest
import torch

from pyg_fusion.nn import LEGO, _fixed_graph

SHUFFLES = ([0, 1, 2, 3], [4, 5, 6, 7], [5, 2, 7, 0], [1, 6, 3, 4], [3, 3, 6])


def _videos(n=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    videos = [{"a": torch.randn(6, 5, generator=g), "b": torch.randn(6, 3, generator=g)}
              for _ in range(n)]
    videos[2]["a"][:3] = 0.0  # units of zero features: zeros with a gradient
    return videos


def _batch(videos, order):
    return {s: torch.stack([videos[i][s] for i in order]) for s in ("a", "b")}


def _lego(**kw):
    torch.manual_seed(0)
    return LEGO({"a": 5, "b": 3}, 2, backend="dense", **kw)


def _same(out, ref):
    return (torch.equal(out.to_dense(), ref.to_dense())
            and all(torch.equal(a, b) for a, b in zip(out.to_sparse(), ref.to_sparse())))


def _counted(monkeypatch):
    # the batches whose relationship graphs were built
    calls = []
    made = LEGO._dense_graphs

    def counted(self, xs, mask):
        calls.append(len(next(iter(xs.values()))))
        return made(self, xs, mask)
    monkeypatch.setattr(LEGO, "_dense_graphs", counted)
    return calls


@pytest.mark.parametrize("kw", [{}, {"k": 3}, {"k": 4, "prune_k": 2}, {"nonneg": None},
                                {"k": 3, "support": "shared"}, {"fusion": "full"},
                                {"zeroth": "ones"}])
def test_shuffled_batches_build_each_graph_once_with_the_same_numbers(monkeypatch, kw):
    videos, model = _videos(), _lego(**kw)
    fresh = copy.deepcopy(model)
    calls = _counted(monkeypatch)
    for order in SHUFFLES:  # two epochs of the same videos, then a repeat
        out = model(_batch(videos, order))
        assert _same(out, copy.deepcopy(fresh)(_batch(videos, order)))
        out.to_dense().sum().backward()  # the operator trains between batches
        fresh.load_state_dict(model.state_dict())
    # the first epoch's two batches, and the fresh copies'
    assert len(calls) == 2 + len(SHUFFLES)


def test_features_that_change_make_new_graphs(monkeypatch):
    # a random transform: each read of a video gives other features
    videos, model = _videos(), _lego(k=3)
    calls, g = _counted(monkeypatch), torch.Generator().manual_seed(1)
    for step in range(3):
        noisy = [{s: x + 0.1 * torch.randn(x.shape, generator=g) for s, x in v.items()}
                 for v in videos]
        out = model(_batch(noisy, [0, 1, 2, 3]))
        assert _same(out, _lego(k=3)(_batch(noisy, [0, 1, 2, 3])))
    assert len(calls) == 2 * 3


def test_a_trained_projection_is_never_served_a_kept_graph():
    videos, model = _videos(), _lego(proj_channels=4)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    batch = _batch(videos, [0, 1, 2, 3])
    for _ in range(3):
        model.eval()
        with torch.no_grad():  # held-out scoring between steps
            out = model(batch)
        assert _same(out, copy.deepcopy(model)(batch))
        model.train()
        loss = model(batch).to_dense().pow(2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        assert _same(model(batch), copy.deepcopy(model)(batch))


def test_options_changed_in_place_make_new_graphs():
    videos, model = _videos(), _lego(k=3)
    batch = _batch(videos, [0, 1, 2, 3])
    model(batch)
    norm = "sym" if model.expansions["a"].norm != "sym" else "row"
    for m in (model, expected := _lego(k=3)):
        m.graph.k, m.graph.nonneg, m.expansions["a"].norm = 2, None, norm
    assert _same(model(batch), expected(batch))
    assert not _same(model(batch), _lego(k=3)(batch))


def test_inference_mode_graphs_serve_inference_mode_only():
    videos, model = _videos(), _lego(k=3)
    batch = _batch(videos, [0, 1, 2, 3])
    with torch.inference_mode():
        scored = model(batch).to_dense()
    out = model(batch)  # kept apart: no inference tensor reaches autograd
    out.to_dense().sum().backward()
    assert torch.equal(out.to_dense(), scored)
    with torch.inference_mode():
        assert torch.equal(model(batch).to_dense(), scored)


def test_a_copy_or_pickle_starts_without_kept_graphs():
    videos, model = _videos(), _lego(k=3)
    model(_batch(videos, [0, 1, 2, 3]))
    assert len(model.__dict__["_kept_rows_store"]) == 4
    assert "_kept_rows_store" not in copy.deepcopy(model).__dict__
    assert "_kept_rows_store" not in pickle.loads(pickle.dumps(model)).__dict__


def _stored(model):
    # the bytes of the kept tensors, counted afresh
    def count(v):
        if isinstance(v, torch.Tensor):
            return v.untyped_storage().nbytes()
        return sum(map(count, v.values())) if isinstance(v, dict) else 0
    return sum(map(count, model.__dict__["_kept_rows_store"].values()))


def _graph_bytes(n=6, powers=2):
    # one graph's kept powers (two sources) and support
    return 2 * (powers + 1) * n * n * 4 + n * n


def test_the_kept_graphs_stay_within_their_bytes(monkeypatch):
    # graphs of any size were kept up to a count of them (N = 512: 8.25 MiB
    # each, 33 GiB for 4096): the store keeps the last graphs within a budget
    # of bytes, and still gives a fresh module's numbers
    monkeypatch.setattr(_fixed_graph, "KEPT_BYTES", 3 * _graph_bytes(), raising=False)
    videos, model = _videos(), _lego()
    fresh = copy.deepcopy(model)
    calls = _counted(monkeypatch)
    for order in SHUFFLES + ([0, 1], [0, 1], [6, 7, 0]):
        out = model(_batch(videos, order))
        assert _same(out, copy.deepcopy(fresh)(_batch(videos, order)))
        out.to_dense().sum().backward()
        fresh.load_state_dict(model.state_dict())
        assert 0 < _stored(model) <= 3 * _graph_bytes()
        assert _stored(model) == model.__dict__["_kept_rows_store"].nbytes
    # the fresh copies', and the model's but for [3, 3, 6] (the last three
    # graphs kept) and the second [0, 1]: [6, 7, 0] wants an evicted graph
    assert len(calls) == (len(SHUFFLES) + 3) + (len(SHUFFLES) + 3 - 2)


def test_a_graph_larger_than_the_budget_is_not_kept(monkeypatch):
    monkeypatch.setattr(_fixed_graph, "KEPT_BYTES", _graph_bytes() - 1, raising=False)
    videos, model = _videos(), _lego(k=3)
    calls = _counted(monkeypatch)
    for _ in range(2):
        assert _same(model(_batch(videos, [0, 1])), _lego(k=3)(_batch(videos, [0, 1])))
        assert _stored(model) == 0
        assert model.__dict__["_kept_rows_store"].nbytes == 0
    assert len(calls) == 4  # built at every call
