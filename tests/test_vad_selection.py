"""LEGO never below its own special cases: it starts exactly at the
graph-product baseline, the epoch is chosen on held-out training videos
(never on the test set), and the anchor penalty pulls A toward its start."""
import pytest
import torch
from torch_geometric.data import Batch

from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.nn import LEGOFusion
from pyg_fusion.training import seed_everything
from pyg_fusion.nn.baselines import graph_fuse_dense
from pyg_fusion.functional import degree_variance_loss, dense_graph_degrees, dense_relation_graph
from pyg_fusion.training.vad import (WeaklySupervisedVAD, fit_vad, mil_topk_loss, split_videos,
                                     video_scores)


@pytest.fixture(scope="module")
def vad_data(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("svad_sel"))
    kw = dict(num_videos=(12, 6), snippets=(16, 24), num_segments=8, log=False)
    return SyntheticVAD(root, "train", **kw), SyntheticVAD(root, "test", **kw)


def _inch(ds):
    d = ds[0]
    return {s: int(d[f"x_{s}"].size(1)) for s in d.sources}


@pytest.mark.parametrize("row_order", ["position", "sorted", "both"])
@pytest.mark.parametrize("name,num_sources,term_scale", [
    ("lego-row", 2, "none"), ("lego", 2, "none"), ("lego-cp", 3, "none"),
    ("lego-row", 2, "mean"), ("lego", 2, "rms")])
def test_lego_starts_exactly_at_graph_product(vad_data, name, num_sources, term_scale,
                                              row_order):
    # two sources: the pairwise operator at A = e11; three: the CP operator;
    # scaled terms: G is the product times a positive number per video
    train, _ = vad_data
    inch = dict(list(_inch(train).items())[:num_sources])
    batch = Batch.from_data_list([train[i] for i in range(4)])
    seed_everything(3)
    base = build_model("graph-product", "vad", inch, num_segments=8, row_order=row_order)
    seed_everything(3)
    lego = build_model(name, "vad", inch, num_segments=8, init="product",
                       zeroth="identity", num_powers=2, row_order=row_order,
                       term_scale=term_scale)
    assert lego.head.row_order == base.head.row_order == row_order
    out_b, g_b = base(batch)
    out_l, g_l = lego(batch)
    torch.testing.assert_close(out_l, out_b, atol=1e-5, rtol=1e-5)
    # the graph the head scored (the one the degree term sees) is the graph product
    torch.testing.assert_close(g_l, g_b, atol=1e-5, rtol=1e-5)


def _degree_term(g, y, k=3):
    deg = dense_graph_degrees(g)
    video = torch.arange(deg.size(0)).repeat_interleave(deg.size(1))
    return degree_variance_loss(deg.reshape(-1), video, y, k=k, num_graphs=deg.size(0))


def _first_batch(train):
    # two anomalous and two normal videos: the degree term is not 0
    idx = [i for i in range(len(train)) if int(train[i].y) == 1][:2] + \
          [i for i in range(len(train)) if int(train[i].y) == 0][:2]
    return Batch.from_data_list([train[i] for i in idx])


@pytest.mark.parametrize("name", ["lego-row", "lego"])
@pytest.mark.parametrize("num_sources", [2, 3])
def test_lego_first_training_loss_equals_graph_products(vad_data, name, num_sources):
    # same objective, not only the same scores: the degree-variance term acts on
    # the graph the row head scored (row-max normalised), not on LEGO's raw G,
    # whose scale (a product of row-normalised powers) would weaken it ~1e8-fold
    train, _ = vad_data
    inch = dict(list(_inch(train).items())[:num_sources])
    batch = _first_batch(train)
    y = batch.y.view(-1)
    operator = dict(operator="full", zeroth="ones") if num_sources == 3 else {}
    seed_everything(3)
    base = WeaklySupervisedVAD(build_model("graph-product", "vad", inch, num_segments=8),
                               lambda_deg=1.0)
    seed_everything(3)
    lego = WeaklySupervisedVAD(build_model(name, "vad", inch, num_segments=8, init="product",
                                           num_powers=2, **operator), lambda_deg=1.0)
    loss_b, loss_l = base.training_step(batch, 0), lego.training_step(batch, 0)
    deg_b = _degree_term(base.model(batch)[1], y)
    assert deg_b > 0.1 * loss_b  # the term matters in the comparison
    torch.testing.assert_close(loss_l, loss_b, atol=1e-5, rtol=1e-5)
    # on LEGO's raw G the term would be negligible: the comparison can fail
    xs = {s: batch[f"x_{s}"].view(4, 8, -1) for s in inch}
    raw = lego.model.lego(xs).to_dense()
    assert _degree_term(raw, y) < 1e-3 * deg_b


@pytest.mark.parametrize("name", ["graph-product", "graph-mean"])
def test_baselines_degree_term_is_on_their_cosine_graph(vad_data, name):
    # the row head's normalisation is the identity on the baselines' graphs (row
    # max = the unit diagonal): their training loss is bitwise the old one
    train, _ = vad_data
    inch = _inch(train)
    batch = _first_batch(train)
    y = batch.y.view(-1)
    seed_everything(3)
    task = WeaklySupervisedVAD(build_model(name, "vad", inch, num_segments=8), lambda_deg=1.0)
    xs = {s: batch[f"x_{s}"].view(4, 8, -1) for s in inch}
    g = graph_fuse_dense([dense_relation_graph(xs[s]) for s in inch], name.split("-")[1])
    logits, g_head = task.model(batch)
    assert torch.equal(g_head, g)
    old = mil_topk_loss(logits, y, task.topk) + _degree_term(g, y)
    assert torch.equal(task.training_step(batch, 0), old)


def test_split_videos_is_stratified_seeded_and_disjoint(vad_data):
    train, _ = vad_data
    y = [int(train[i].y) for i in range(len(train))]
    tr, va = split_videos(train, 0.25, seed=1)
    assert sorted(tr + va) == list(range(len(train))) and not set(tr) & set(va)
    for c in (0, 1):
        assert sum(y[i] == c for i in va) == round(0.25 * y.count(c))
    assert split_videos(train, 0.25, seed=1) == (tr, va)
    assert split_videos(train, 0.25, seed=2) != (tr, va)
    assert split_videos(train, 0.0) == (list(range(len(train))), [])
    with pytest.raises(ValueError, match="val_fraction"):
        split_videos(train, 1.0)


def test_fit_vad_tests_the_epoch_of_lowest_validation_loss(vad_data, tmp_path):
    train, test = vad_data
    seed_everything(0)
    model = build_model("lego-row", "vad", _inch(train), num_segments=8, num_powers=2)
    r = fit_vad(model, train, test, out_dir=tmp_path, epochs=4, batch_size=4,
                val_fraction=0.25, progress=False, checkpoint=True, seed=0)
    _, va = split_videos(train, 0.25, seed=0)
    # the restored model is the chosen one: it reproduces the chosen validation loss
    model.eval()
    with torch.no_grad():
        batch = Batch.from_data_list([train[i] for i in va])
        loss = mil_topk_loss(model(batch)[0], batch.y.view(-1))
        video = video_scores(model(batch)[0])
    assert float(loss) == pytest.approx(r["val_loss"], abs=1e-6)
    assert 0 <= r["epoch"] < 4 and 0 <= r["val_video_auc"] <= 1
    assert video.numel() == len(va)
    assert (tmp_path / "checkpoints" / "best.ckpt").is_file()
    # the test metrics are those of the restored model
    assert r["auc"] == r["task"].last_metrics["auc"]


def test_anchor_penalty_pulls_the_operator_to_its_start():
    fusion = LEGOFusion(["a", "b", "c"], 2, lambda_anchor=2.0)
    assert float(fusion.penalty()) == 0.0
    with torch.no_grad():
        deltas = {k: torch.randn_like(a) for k, a in fusion.A.items()}
        for k, a in fusion.A.items():
            a.add_(deltas[k])
    ref = 2.0 * sum((d ** 2).sum() for d in deltas.values())
    torch.testing.assert_close(fusion.penalty(), ref)
    # off by default; the start is not saved with the model
    assert float(LEGOFusion(["a", "b"], 2).penalty()) == 0.0
    assert not any(k.startswith("start_") for k in fusion.state_dict())
    with pytest.raises(ValueError, match="lambda_anchor"):
        LEGOFusion(["a", "b"], 2, lambda_anchor=-1.0)


def test_anchor_penalty_enters_the_training_loss(vad_data):
    from pyg_fusion.training.vad import WeaklySupervisedVAD
    train, _ = vad_data
    model = build_model("lego-row", "vad", _inch(train), num_segments=8, num_powers=2,
                        lambda_anchor=5.0, operator="pairwise")
    task = WeaklySupervisedVAD(model, lambda_deg=0.0)
    batch = Batch.from_data_list([train[i] for i in range(4)])
    base = float(task.training_step(batch, 0))
    with torch.no_grad():
        model.fusion.A["c3d|i3d"].add_(1.0)
    delta = 5.0 * model.fusion.A["c3d|i3d"].numel()
    moved = task.model.fusion.penalty()
    assert float(moved) == pytest.approx(delta)
    assert float(task.training_step(batch, 0)) != pytest.approx(base)
