"""FusedGraph: one API on both backends."""
import pytest
import torch
from torch_geometric.data import Batch

from pyg_fusion.data import MultiSourceData
from pyg_fusion.nn import LEGO, FusedGraph


def _batch():
    g = torch.Generator().manual_seed(0)
    graphs = [MultiSourceData(x_a=torch.randn(n, 3, generator=g, dtype=torch.float64),
                              x_b=torch.randn(n, 2, generator=g, dtype=torch.float64),
                              num_nodes=n)
              for n in (6, 4)]
    return Batch.from_data_list(graphs)


@pytest.mark.parametrize("backend", ["dense", "sparse"])
def test_both_forms_on_both_backends(backend):
    batch = _batch()
    torch.manual_seed(0)
    model = LEGO({"a": 3, "b": 2}, 2, k=2, backend=backend).double()
    g = model(batch)
    assert g.backend == backend
    ei, w = g.edge_index, g.edge_weight
    assert ei.shape == (2, w.numel()) and (w != 0).all()  # the non-zero entries only
    dense = g.to_dense()
    assert dense.shape == (2, 6, 6)
    # every non-zero of the dense form is an edge, and no other
    assert int((dense != 0).sum()) == w.numel()
    bi = batch.batch[ei[1]]
    local = ei - batch.ptr[bi]
    assert torch.equal(dense[bi, local[1], local[0]], w)
    assert g.dense_mask().sum(1).tolist() == [6, 4]
    assert g.num_graphs == 2
    assert backend in repr(g)
    # both forms stay differentiable in the fusion operator
    (w.sum() + dense.sum()).backward()
    assert model.fusion.A["a|b"].grad is not None


def test_to_sparse_of_a_dense_graph_drops_zeros():
    dense = torch.tensor([[[1.0, 0.0], [0.0, 2.0]]])
    g = FusedGraph(num_nodes=2, dense=dense)
    ei, w = g.to_sparse()
    assert torch.equal(ei, torch.tensor([[0, 1], [0, 1]])) and w.tolist() == [1.0, 2.0]


def test_needs_exactly_one_form():
    with pytest.raises(ValueError, match="either edge_index"):
        FusedGraph(num_nodes=2)
    with pytest.raises(ValueError, match="edge_weight is required"):
        FusedGraph(num_nodes=2, edge_index=torch.zeros(2, 1, dtype=torch.long))


def test_print_of_the_operator_shows_its_values():
    model = LEGO({"a": 3, "b": 2}, 2)
    text = repr(model.fusion.A)
    assert "(a|b): [3, 3]" in text and "1." in text and "0." in text
