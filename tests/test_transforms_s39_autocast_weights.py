"""RelationGraphs under torch.autocast follows the graph operators' rule (the
similarities of 16-bit features computed in float32, float32 weights), as
relation_graph and shared_support_graphs do: its own search path, which
checks each source once, computed the weights of bfloat16 features in
bfloat16."""
import pytest
import torch

import pyg_fusion.functional as F
from pyg_fusion.data import MultiSourceData
from pyg_fusion.transforms import RelationGraphs


@pytest.mark.parametrize("support", ["own", "shared"])
@pytest.mark.parametrize("metric", ["cosine", "rbf"])
def test_weights_under_autocast_are_the_functionals(support, metric):
    g = torch.Generator().manual_seed(0)
    xs = {"a": torch.randn(12, 4, generator=g).bfloat16(),
          "b": torch.randn(12, 3, generator=g).bfloat16()}
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = RelationGraphs(k=3, support=support, metric=metric)(
            MultiSourceData(x_a=xs["a"], x_b=xs["b"]))
        ref = (F.shared_support_graphs(xs, k=3, metric=metric) if support == "shared" else
               {s: F.relation_graph(x, k=3, metric=metric) for s, x in xs.items()})
    for s in xs:
        assert out[f"edge_weight_{s}"].dtype == torch.float32
        assert torch.equal(out[f"edge_index_{s}"], ref[s][0])
        assert torch.equal(out[f"edge_weight_{s}"], ref[s][1])
