"""docs/lego_api.md says what PyG's T.Pad does to a MultiSourceData, which
pyg_fusion has no place to intercept: it pads the node-level sources and their
stored graphs (edges 0 -> 0 of weight 0), leaves the finer-level sources, and
PyG's GCNConv then takes node 0's self loop for one of the padding's, weight 0;
LEGO's fused graph keeps the real nodes' entries. The claims, run."""
from pathlib import Path

import torch
import torch_geometric.transforms as T
from torch_geometric.utils import add_remaining_self_loops

from pyg_fusion.data import MultiSourceData
from pyg_fusion.nn import LEGO
from pyg_fusion.transforms import RelationGraphs

ROOT = Path(__file__).resolve().parent.parent


def test_pad_pads_the_node_level_sources_only_and_the_docs_say_so():
    text = " ".join((ROOT / "docs" / "lego_api.md").read_text().split())
    assert ("PyG's `T.Pad(max_num_nodes)` pads the node-level sources (`x_<source>`) and "
            "their stored graphs, these with edges `0 -> 0` of weight 0, and leaves the "
            "finer-level sources") in text
    assert "`add_remaining_self_loops`) gives node 0 a self loop of weight 0" in text
    g = torch.Generator().manual_seed(0)
    data = RelationGraphs(k=2)(MultiSourceData(
        x_a=torch.randn(5, 3, generator=g), x_b=torch.randn(5, 4, generator=g),
        x_f=torch.randn(11, 2, generator=g), assign_f=torch.tensor([0, 0, 1, 1, 2, 3, 4, 4, 4, 2, 1])))
    padded = T.Pad(8, max_num_edges=40)(data.clone())
    assert padded.num_nodes == 8 and padded.x_a.size(0) == padded.x_b.size(0) == 8
    assert torch.equal(padded.x_f, data.x_f) and torch.equal(padded.assign_f, data.assign_f)
    assert torch.equal(padded.edge_index_f, data.edge_index_f)
    pad = padded.edge_index_a[:, data.edge_index_a.size(1):]
    assert pad.size(1) == 25 and not pad.any()
    assert not padded.edge_weight_a[data.edge_index_a.size(1):].any()
    edge_index, weight = add_remaining_self_loops(padded.edge_index_a, padded.edge_weight_a,
                                                  1.0, 8)
    loops = edge_index[0] == edge_index[1]
    assert weight[loops & (edge_index[0] == 0)].tolist() == [0.0]
    assert data.edge_weight_a[(data.edge_index_a[0] == 0) & (data.edge_index_a[1] == 0)].tolist() == [1.0]
    torch.manual_seed(0)
    lego = LEGO({"a": 3, "b": 4, "f": 2}, 2).eval()
    with torch.no_grad():
        fused, real = lego(padded).to_dense()[0], lego(data).to_dense()[0]
    assert fused.shape == (8, 8) and torch.allclose(fused[:5, :5], real, atol=1e-6)
