"""docs/lego_api.md and PerSource's docstring gave
PerSource(T.Compose([T.ToUndirected(), T.GCNNorm()])) as the example: PyG's
ToUndirected sums the two directions of a pair (reduce="add"), so every self
loop of a relationship graph (cosine 1) became 2 and a pair kept both ways
twice its similarity, before the normalisation. The example now symmetrises
with reduce="max": the run of the example as written keeps R's weights."""
import re
from pathlib import Path

import pytest
import torch
import torch_geometric.transforms as T
from torch_geometric.utils import to_dense_adj

from pyg_fusion.data import MultiSourceData
from pyg_fusion.transforms import PerSource, RelationGraphs

ROOT = Path(__file__).resolve().parent.parent


def _examples():
    texts = [(ROOT / "docs" / "lego_api.md").read_text(), PerSource.__doc__]
    found = [re.search(r"PerSource\(T\.Compose\(\[T\.ToUndirected\([^)]*\)[^`]*\)\)", " ".join(
        t.split())) for t in texts]
    assert all(found)
    return [f.group(0).replace(", T.GCNNorm()", "") for f in found]


@pytest.mark.parametrize("example", _examples())
def test_the_example_symmetrises_without_doubling_the_weights(example):
    torch.manual_seed(0)
    data = RelationGraphs(k=2)(MultiSourceData(x_a=torch.rand(8, 3)))
    before = to_dense_adj(data.edge_index_a, edge_attr=data.edge_weight_a, max_num_nodes=8)[0]
    out = eval(example, {"T": T, "PerSource": PerSource})(data.clone())
    after = to_dense_adj(out.edge_index_a, edge_attr=out.edge_weight_a, max_num_nodes=8)[0]
    assert torch.allclose(after, torch.maximum(before, before.T))
    assert torch.allclose(after.diagonal(), torch.ones(8))
