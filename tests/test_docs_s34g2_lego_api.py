"""docs/lego_api.md and docs/methods.md say how LEGO and the baselines behave
inside a user's own model (this session's changes): each sentence is quoted
beside a small check of the code."""
from pathlib import Path

import pytest
import torch
from torch_geometric.data import Data

ROOT = Path(__file__).resolve().parent.parent


def _said(page: str, quote: str) -> None:
    text = " ".join((ROOT / "docs" / page).read_text().split())
    assert quote in text, f"docs/{page} no longer says {quote!r}: update this test"


def test_an_assign_beside_a_data_and_second_derivatives_are_as_the_page_says():
    _said("lego_api.md", "an `assign=` given beside a `Data` / `Batch` (`lego(data, "
          "assign={\"f\": s})`) replaces the data's `assign_<source>` for its sources")
    _said("lego_api.md", "Second derivatives pass through the powers of both backends")
    from pyg_fusion.nn import LEGO
    gen = torch.Generator().manual_seed(0)
    xa, xf = torch.randn(6, 4, generator=gen), torch.randn(6, 2, generator=gen)
    lego = LEGO({"a": 4, "f": 2}, 2, k=3, backend="sparse").eval()
    stored = Data(x_a=xa, x_f=xf, assign_f=torch.arange(6), num_nodes=6)
    given = {"f": torch.tensor([0, 0, 1, 2, 2, 5])}
    torch.testing.assert_close(lego(stored, assign=given).to_dense(),
                               lego({"a": xa, "f": xf}, assign=given).to_dense())
    # a gradient penalty reaches the operator through the sparse powers
    lego = LEGO({"a": 4, "f": 2}, 2, k=3, backend="sparse", pairs="all").double()
    xs = {"a": xa.double(), "f": xf.double()}
    loss = lego(xs).edge_weight.pow(2).sum()
    (grad, ) = torch.autograd.grad(loss, [lego.fusion.A["a|f"]], create_graph=True)
    (again, ) = torch.autograd.grad(grad.pow(2).sum(), [lego.fusion.A["a|f"]])
    assert again.abs().sum() > 0


def test_a_parametrized_operator_is_anchored_and_reset_as_the_page_says():
    _said("lego_api.md", "is the operator that `penalty()` anchors, that `reset_parameters()` "
          "writes through its `right_inverse`, and that the state dict loads.")
    from torch.nn.utils import parametrize

    from pyg_fusion.nn import LEGOFusion

    class Symmetric(torch.nn.Module):
        def forward(self, a):
            return (a + a.transpose(-1, -2)) / 2

        def right_inverse(self, a):
            return a
    fusion = LEGOFusion(["a", "b"], 2, pairs="all")
    parametrize.register_parametrization(fusion.A, "a|b", Symmetric())
    assert fusion.penalty().item() == 0.0
    fusion.reset_parameters()
    twin = LEGOFusion(["a", "b"], 2, pairs="all")
    parametrize.register_parametrization(twin.A, "a|b", Symmetric())
    twin.load_state_dict(fusion.state_dict())


def test_a_dict_of_other_sources_and_another_order_are_refused_as_the_page_says():
    _said("lego_api.md", "A dict of sources other than the model's is one `ValueError` in every "
          "module (`xs must hold exactly the sources ['a', 'b'], got ['a']; it lacks ['b']`, "
          "and `the model was not built for [...]` for an extra one), another type a "
          "`TypeError`.")
    _said("lego_api.md", "one rebuilt in another order (`{\"b\": 5, \"a\": 3}` for `{\"a\": 3, "
          "\"b\": 5}`) refuses it in `load_state_dict`, naming both orders (its weights would "
          "apply to other sources): build it with `in_channels` in the saved order. `LEGO` "
          "sorts its sources and takes any order.")
    from pyg_fusion.nn import LEGO
    from pyg_fusion.nn.baselines import FeatureFusion
    fusion = FeatureFusion({"a": 3, "b": 5})
    for model in (fusion, LEGO({"a": 3, "b": 5}, 1)):
        with pytest.raises(ValueError, match=r"xs must hold exactly the sources \['a', 'b'\], "
                           r"got \['a'\]; it lacks \['b'\]$"):
            model({"a": torch.randn(4, 3)})
        with pytest.raises(ValueError, match=r"the model was not built for \['c'\]"):
            model({"a": torch.randn(4, 3), "b": torch.randn(4, 5), "c": torch.randn(4, 1)})
        with pytest.raises(TypeError, match="must be a dict"):
            model([torch.randn(4, 3), torch.randn(4, 5)])
    with pytest.raises(RuntimeError, match=r"saved with its sources in the order \['a', 'b'\]"
                       r".*build it with in_channels in the saved order"):
        FeatureFusion({"b": 5, "a": 3}).load_state_dict(fusion.state_dict())
    LEGO({"b": 5, "a": 3}, 1).load_state_dict(LEGO({"a": 3, "b": 5}, 1).state_dict())


def test_the_methods_page_on_proj_channels_and_kept_zeros_is_the_code():
    _said("methods.md", "`proj_channels` sets that width, and is refused with `mode=\"concat\"` "
          "or `\"single\"`, which project nothing")
    _said("methods.md", "and for the entries that are 0 in every power but whose gradient is "
          "not (a dot similarity with an all-zero or one-hot row, signed weights that cancel: "
          "`keep_zeros` a dict source -> kept entries)")
    from pyg_fusion.nn import LEGOFusion
    from pyg_fusion.nn.baselines import FeatureFusion
    for mode in ("concat", "single"):
        ic = {"a": 4, "b": 3} if mode == "concat" else {"a": 4}
        with pytest.raises(ValueError, match="leave proj_channels unset"):
            FeatureFusion(ic, mode, proj_channels=5)
    assert FeatureFusion({"a": 4, "b": 3}, "add", proj_channels=5)(
        {"a": torch.randn(2, 4), "b": torch.randn(2, 3)}).shape == (2, 5)
    import inspect
    assert "dict source" in inspect.getdoc(LEGOFusion.forward)


def test_the_dense_rbf_weights_are_the_pairs_differences_as_the_page_says():
    _said("methods.md", "the dense rbf graph centres float32 features in float64 and takes its "
          "weights from the differences of the pairs (`torch.cdist` without its matrix product;")
    import pyg_fusion.functional as F
    x = torch.randn(4, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64) * 10
    x[1] = x[0] + 1e-5
    dense = F.dense_relation_graph(x, "rbf", gamma=1e9)
    pair = F.pair_similarity(x, torch.tensor([0]), torch.tensor([1]), "rbf", gamma=1e9)
    assert abs(float(dense[0, 1]) - float(pair[0])) < 1e-9


def test_zeros_with_a_gradient_and_a_graph_read_without_gradients_are_as_the_page_says():
    _said("methods.md", "both keep an entry that is 0 in every power but has a gradient (a dot "
          "similarity with an all-zero feature row, signed weights that cancel), and the paths "
          "through it. Either form read under `torch.no_grad()` (to log or plot `G` before the "
          "loss) is derived again with gradients when a head reads it in training.")
    from pyg_fusion.nn import LEGO
    g = torch.Generator().manual_seed(0)
    xs = {s: torch.randn(7, 3, dtype=torch.float64, generator=g) for s in "ab"}
    xs["a"][2] = 0
    edges = {}
    for backend in ("dense", "sparse"):
        torch.manual_seed(1)
        model = LEGO({"a": 3, "b": 3}, 2, k=3, metric="dot", backend=backend).double()
        graph = model(xs)
        ei = graph.edge_index
        edges[backend] = sorted((ei[1] * 100 + ei[0]).tolist())
        graph = model(xs)
        with torch.no_grad():
            graph.to_dense() if backend == "sparse" else graph.edge_weight
        read = graph.to_dense() if backend == "sparse" else graph.edge_weight
        assert read.requires_grad
    assert edges["dense"] == edges["sparse"]
    assert any(e // 100 == 2 or e % 100 == 2 for e in edges["sparse"])


def test_follow_batch_vectors_are_no_sources_as_the_page_says():
    text = " ".join((ROOT / "docs" / "bad_input.md").read_text().split())
    assert ("(the `x_<source>_batch` vectors of its `follow_batch=` are no sources, to it or "
            "to `LEGO`)" in text)
    from torch_geometric.loader import DataLoader

    from pyg_fusion.data import MultiSourceData
    from pyg_fusion.nn import LEGO
    graphs = [MultiSourceData(x_a=torch.randn(3, 4), x_b=torch.randn(3, 2)) for _ in range(2)]
    batch = next(iter(DataLoader(graphs, batch_size=2, follow_batch=["x_a"])))
    assert "x_a_batch" in batch.keys() and batch.num_nodes == 6
    assert LEGO({"a": 4, "b": 2}, 1, k=2)(batch).num_nodes == 6
