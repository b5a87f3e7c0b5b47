"""docs/lego_api.md warns that PyG's NeighborLoader, which selects each
sample's nodes with torch_geometric.loader.utils.filter_data (node attributes
found by their size), keeps a MultiSourceData's graphs per source whole, on
the whole graph's node ids, without an error: the claim, run through
filter_data as NeighborLoader calls it (the loader itself needs pyg-lib or
torch-sparse), beside subgraph(), which relabels them."""
from pathlib import Path

import torch
from torch_geometric.loader.utils import filter_data

from pyg_fusion.data import MultiSourceData
from pyg_fusion.transforms import RelationGraphs

ROOT = Path(__file__).resolve().parent.parent


def test_filter_data_keeps_the_graphs_per_source_whole_and_the_docs_say_so():
    text = " ".join((ROOT / "docs" / "lego_api.md").read_text().split())
    assert ("PyG's `NeighborLoader` selects the nodes of each sample the same way (its "
            "`filter_data`), and a sample is one graph, never batched: its `edge_index_<source>` "
            "keep the whole graph's edges and node ids, without an error") in text
    torch.manual_seed(0)
    data = RelationGraphs(k=2)(MultiSourceData(
        x_a=torch.rand(30, 4), edge_index=torch.randint(0, 30, (2, 60)), y=torch.arange(30)))
    node = torch.tensor([0, 3, 5, 7])
    sample = filter_data(data, node, torch.tensor([0]), torch.tensor([1]), torch.tensor([4]),
                         None)
    assert sample.num_nodes == 4 and sample.x_a.size(0) == 4
    assert torch.equal(sample.edge_index_a, data.edge_index_a)
    assert int(sample.edge_index_a.max()) == 29
    assert int(data.subgraph(node).edge_index_a.max()) < 4
