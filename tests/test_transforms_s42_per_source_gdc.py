"""PerSource(T.GDC()) on a graph weighted by edge_weight_<source> was refused as
a transform "not carrying the weights of the edges it makes"; GDC does carry
them, as edge_attr, which it also reads as the weights (ignoring edge_weight)."""
import warnings

import pytest
import torch
import torch_geometric.transforms as T

from pyg_fusion.data import MultiSourceData
from pyg_fusion.transforms import PerSource

EDGES = torch.tensor([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]])


def test_gdc_refusal_says_it_reads_and_writes_edge_attr():
    data = MultiSourceData(x_a=torch.randn(4, 2), edge_index_a=EDGES,
                           edge_weight_a=torch.rand(6, generator=torch.Generator().manual_seed(0)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch's sparse CSR notes
        with pytest.raises(ValueError, match=r"GDC.*source 'a'.*weights of its \d+ edges as "
                           r"edge_attr.*reads the weights from edge_attr, not edge_weight.*"
                           r"data\.edge_attr_a = data\.edge_weight_a; del data\.edge_weight_a"):
            PerSource(T.GDC())(data.clone())
        # what the message says to do works, and its weights come back as edge_attr_a
        data.edge_attr_a = data.edge_weight_a
        del data.edge_weight_a
        out = PerSource(T.GDC())(data)
    assert out.edge_attr_a.size(0) == out.edge_index_a.size(1) and "edge_weight_a" not in out
