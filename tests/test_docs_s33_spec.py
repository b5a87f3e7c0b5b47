"""What docs/methods.md says of LEGO's mean start (§1.4), of the baselines
(§1.9) and of the cost of a second AsymFusion modality (§2.1) is what the code
computes: each statement is quoted from the page (so that it cannot be edited
away unnoticed) beside a reference built from the page's formulas."""
import inspect
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent
METHODS = ROOT / "docs" / "methods.md"
N = 8


def _said(*quotes: str) -> None:
    text = " ".join(METHODS.read_text().split())
    for quote in quotes:
        assert quote in text, f"docs/methods.md no longer says {quote!r}: update this test"


def _videos():
    from torch_geometric.data import Batch
    from pyg_fusion.data import MultiSourceData
    g = torch.Generator().manual_seed(0)
    xa, xb = torch.randn(N, 5, generator=g), torch.randn(N, 4, generator=g)
    return xa, xb, Batch.from_data_list([MultiSourceData(x_a=xa, x_b=xb)])


def test_the_mean_start_weighs_each_sources_row_by_its_inverse_degree():
    from pyg_fusion.functional import dense_relation_graph
    from pyg_fusion.methods.vad import VADGraphFusion, VADLEGO
    _said("the mean start is close to, not exactly, the `graph-mean` baseline (§1.9)",
          "`(R_a[i] / d_a(i) + R_b[i] / d_b(i)) / (1 / d_a(i) + 1 / d_b(i))`",
          "the row maximum removes `1 / (d_a(i) d_b(i))` whole")
    xa, xb, batch = _videos()
    ra, rb = dense_relation_graph(xa), dense_relation_graph(xb)
    da, db = ra.sum(1, keepdim=True), rb.sum(1, keepdim=True)
    weighted = (ra / da + rb / db) / (1 / da + 1 / db)
    lego = VADLEGO({"a": 5, "b": 4}, N, zeroth="ones", init="mean", num_powers=2)
    _, g = lego(batch)
    scored = g[0] / g[0].abs().amax(-1, keepdim=True)  # the row head's row_norm="max"
    torch.testing.assert_close(scored, weighted)
    assert not torch.allclose(scored, (ra + rb) / 2, atol=1e-3)
    # the product start: exactly graph-product's scores, as §1.9 and §1.4 say
    torch.manual_seed(1)
    start = VADLEGO({"a": 5, "b": 4}, N, zeroth="ones", num_powers=2)
    torch.manual_seed(1)
    base = VADGraphFusion({"a": 5, "b": 4}, N, mode="product")
    assert torch.equal(start(batch)[0], base(batch)[0])


def test_the_graph_baselines_are_the_stated_combinations():
    from pyg_fusion.functional import dense_relation_graph
    from pyg_fusion.methods.node import NodeGraphFusion
    from pyg_fusion.methods.vad import VADGraphFusion
    _said("`graph-mean` `(1/M) sum_m R_m`, the paper's graph addition (the sum is `M` times it, "
          "and the row head's row maximum",
          "`graph-product` `R_1 ∘ ... ∘ R_M`",
          "`graph-concat` the sources' rows side by side, `[N, M N]`, read by a row head of width "
          "`M N`",
          "on the node task each node's `k = 10` nearest with its self loop")
    xa, xb, batch = _videos()
    ra, rb = dense_relation_graph(xa), dense_relation_graph(xb)
    for mode, ref in (("mean", (ra + rb) / 2), ("product", ra * rb), ("add", ra + rb)):
        _, g = VADGraphFusion({"a": 5, "b": 4}, N, mode=mode)(batch)
        torch.testing.assert_close(g[0], ref)
    assert VADGraphFusion({"a": 5, "b": 4}, N, mode="concat").head.lin1.in_features == 2 * N
    scores = []
    for mode in ("mean", "add"):
        torch.manual_seed(2)
        scores.append(VADGraphFusion({"a": 5, "b": 4}, N, mode=mode)(batch)[0])
    torch.testing.assert_close(scores[0], scores[1], rtol=1e-6, atol=1e-6)
    assert inspect.signature(NodeGraphFusion).parameters["k"].default == 10


def test_the_feature_baselines_and_mtn_are_as_stated():
    from pyg_fusion.methods.vad import VADMTN
    from pyg_fusion.nn.baselines import MTN, FeatureFusion
    _said("each source first through its own learned linear projection to the smallest width "
          "where the widths differ",
          "dilated temporal convolutions (dilations 1, 2, 4) beside a non-local branch, 64 "
          "channels (`mtn_channels`)")
    fuse = FeatureFusion({"a": 5, "b": 4}, "add")
    assert {s: lin.out_features for s, lin in fuse.proj.items()} == {"a": 4, "b": 4}
    assert FeatureFusion({"a": 4, "b": 4}, "product").proj is None
    assert inspect.signature(MTN).parameters["dilations"].default == (1, 2, 4)
    assert inspect.signature(VADMTN).parameters["mtn_channels"].default == 64


def test_a_second_modality_costs_the_stated_parameters():
    from pyg_fusion.nn.asym import ResNetEncoder
    _said("105,344 parameters on the ResNet-101 encoder, the paper's \"about 0.1M\", where a "
          "second encoder of its own would add 42.5M")
    with torch.device("meta"):  # counts only: no weights are drawn
        enc = ResNetEncoder("bottleneck", (3, 4, 23, 3), num_modalities=2)
    second = sum(p.numel() for n, p in enc.named_parameters() if ".norms.1." in n)
    names = [n for n, _ in enc.named_parameters() if "norms" in n]
    assert names and all(".norms.0." in n or ".norms.1." in n for n in names)
    one_encoder = sum(p.numel() for p in enc.parameters()) - second
    assert second == 105_344
    assert round(one_encoder / 1e6, 1) == 42.5



def test_readmes_dense_sparse_tolerances_are_the_tests():
    # README: "LEGO end to end on random configurations ..., to 1e-9 and 1e-4",
    # the tolerances of test_dense_sparse_random.py (float64, float32), which
    # methods.md §1.2 states too
    import re
    readme = " ".join((ROOT / "README.md").read_text().split())
    said = re.search(r"LEGO end to end on random configurations with duplicated units, to "
                     r"(\S+) and (\S+):", readme)
    assert said, "README no longer states the end-to-end tolerances: update this test"
    source = (ROOT / "tests" / "test_dense_sparse_random.py").read_text()
    tested = re.search(r'"dtype,atol", \[\(torch\.float64, (\S+)\), \(torch\.float32, (\S+)\)\]',
                       source)
    assert tested and said.groups() == tested.groups()
    _said(f"dense == sparse to {tested[1]} in float64 and {tested[2]} in float32 with the rule")


def test_an_all_zero_rows_gradient_is_zero_as_stated():
    from pyg_fusion.functional import dense_relation_graph, pair_similarity
    _said("An all-zero row's gradient is 0 (the cosine is not continuous there")
    x = torch.randn(4, 3, dtype=torch.float64)
    x[2] = 0
    row, col = torch.meshgrid(torch.arange(4), torch.arange(4), indexing="ij")
    for graph in (lambda x: dense_relation_graph(x, nonneg=None),
                  lambda x: pair_similarity(x, row.reshape(-1), col.reshape(-1), nonneg=None)):
        leaf = x.clone().requires_grad_()
        graph(leaf).sum().backward()
        assert torch.equal(leaf.grad[2], torch.zeros(3, dtype=torch.float64))
        assert bool(leaf.grad[[0, 1, 3]].abs().sum() > 0)


def test_segmentation_scores_average_over_the_stated_classes():
    # class 0: in truth and prediction; class 1: predicted only (IoU 0);
    # class 2: truth only, never predicted; class 3: in neither (no IoU, no accuracy)
    from pyg_fusion.training.segmentation import segmentation_scores
    _said("the class accuracy averaged over the classes present in the ground truth, the IoU "
          "over the classes present in the ground truth or the prediction (a class in neither "
          "has no IoU")
    cm = torch.tensor([[6, 2, 0, 0], [0, 0, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0]])
    got = segmentation_scores(cm)
    assert got["pixel_acc"] == 6 / 10
    assert abs(got["mean_acc"] - (6 / 8 + 0 / 2) / 2) < 1e-12
    assert abs(got["miou"] - (6 / 9 + 0 / 3 + 0 / 2) / 3) < 1e-12


def test_the_methods_page_links_both_papers_and_the_released_code():
    text = METHODS.read_text()
    head = text[:text.index("## 0. Conventions")]
    for link in ("(https://arxiv.org/abs/2410.01506)", "(https://arxiv.org/abs/2108.05009)",
                 "(https://github.com/yikaiw/AsymFusion)"):
        assert link in head, link


def test_readmes_opening_says_how_the_powers_are_computed():
    # README's first lines: "(sparse matrix products on large graphs, dense ones
    # on small)" (it said "by sparse message passing", which neither backend does)
    from pyg_fusion.nn import AUTO_DENSE_MAX_NODES, LEGO
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert ("expanded into its multi-hop powers (sparse matrix products on large graphs, dense "
            "ones on small)" in readme)
    lego = LEGO({"a": 3, "b": 2}, k=4)
    assert lego.choose_backend(AUTO_DENSE_MAX_NODES) == "dense"
    assert lego.choose_backend(AUTO_DENSE_MAX_NODES + 1) == "sparse"


def test_pseudo_anomalies_take_a_videos_crops_as_one_video():
    # methods.md 1.7: "The crops of a video (crops="all") are one video: never
    # spliced into each other, and it needs two normal videos held out"
    import copy
    from torch_geometric.data import Data
    from pyg_fusion.training.pseudo_anomalies import splice_pseudo_anomalies
    _said("The crops of a video (`crops=\"all\"`) are one video: never spliced into each other, "
          "and it needs two normal videos held out, not two crops.")
    g = torch.Generator().manual_seed(0)

    def video(name):
        return Data(x_a=torch.randn(8, 3, generator=g), sources=["a"], video=name,
                    y=torch.tensor([0]), num_nodes=8)

    crops = []
    for name in ("v0", "v1"):
        base = video(name)
        for c in range(3):
            d = copy.copy(base)
            d.crop = torch.tensor([c])
            crops.append(d)
    batch, labels = splice_pseudo_anomalies(crops, seed=0)
    assert batch.num_graphs == 2 * 3 * 3  # each crop of one video into each crop of the other
    with pytest.raises(ValueError, match="two normal videos"):
        splice_pseudo_anomalies(crops[:3], seed=0)
