"""docs/lego_api.md warns that G is signed and that PyG's GCNConv, whose
degree^-1/2 normalisation a user reaching for PyG's layers would put on
G's edge_index / edge_weight, gives NaN rows silently once a row of G sums
below 0, while GraphConv and GraphHead take signed weights: the claim, run."""
from pathlib import Path

import torch
from torch_geometric.nn import GCNConv, GraphConv

from pyg_fusion.nn import LEGO, GraphHead

ROOT = Path(__file__).resolve().parent.parent


def test_a_signed_g_makes_gcnconv_nan_and_the_docs_say_so():
    text = " ".join((ROOT / "docs" / "lego_api.md").read_text().split())
    assert ("PyG's `GCNConv` on G's `edge_index` / `edge_weight` normalises by degree^-1/2 and "
            "gives NaN rows silently once a row of G sums below 0; `GraphConv` or `GraphHead` "
            "take signed weights") in text
    torch.manual_seed(0)
    xs = {"a": torch.randn(12, 4), "b": torch.randn(12, 3)}
    lego = LEGO({"a": 4, "b": 3}, k=3)
    with torch.no_grad():
        lego.fusion.A["a|b"].neg_()  # a signed operator, as training may reach
    g = lego(xs)
    rows = torch.zeros(12).index_add_(0, g.edge_index[1], g.edge_weight)
    assert bool((rows < 0).all())
    assert torch.isnan(GCNConv(4, 5)(xs["a"], g.edge_index, g.edge_weight)).all()
    assert torch.isfinite(GraphConv(4, 5)(xs["a"], g.edge_index, g.edge_weight)).all()
    assert torch.isfinite(GraphHead(4, 8, 5)(xs["a"], g)).all()
