"""int32 edge lists (torch.sparse's CSR indices, cuGraph, PyG's EdgeIndex of
int32) are taken by every functional entry that takes an ``edge_index``, as
PyG's layers take them: widened to torch.long, the same numbers as int64;
a float edge list stays an error naming the argument."""
import pytest
import torch
from torch_geometric import EdgeIndex

import pyg_fusion.functional as F

EI = torch.tensor([[0, 1, 2, 3, 1, 0], [1, 2, 3, 0, 1, 0]])
EW = torch.tensor([0.5, 1.0, 0.25, 2.0, 0.75, 1.5], dtype=torch.float64)
E2, AT = F.graph_powers(EI, EW, 4, 2)
A = torch.ones(3, 3, dtype=torch.float64)
Y = torch.nn.functional.one_hot(torch.tensor([0, 1, 0, 1])).double()
X = torch.arange(32, dtype=torch.float64).view(4, 8).sin()

CALLS = {
    "normalize": lambda e: F.normalize(e, EW, 4),
    "graph_powers": lambda e: F.graph_powers(e, EW, 4, 2, prune_k=2),
    "edges_to_dense": lambda e: F.edges_to_dense(e, EW),
    "edges_to_dense without weights": lambda e: F.edges_to_dense(e),
    "graph_degrees": lambda e: F.graph_degrees(e, EW, 4),
    "coarsen": lambda e: F.coarsen(e, EW, torch.tensor([0, 0, 1, 1]), 2),
    "label_propagation": lambda e: F.label_propagation(Y, e, EW),
    "label_propagation without weights": lambda e: F.label_propagation(Y, e),
    "knn_recall": lambda e: F.knn_recall(X, e, 1),
    "lego_fuse_sparse": lambda e: F.lego_fuse_sparse(e[:, :E2.size(1)], AT, E2, AT, A, 4),
    "lego_fuse_cp_sparse": lambda e: F.lego_fuse_cp_sparse(
        [e[:, :E2.size(1)], E2], [AT, AT], [A[:1], A[:1]], 4),
    "lego_fuse_full_sparse": lambda e: F.lego_fuse_full_sparse(
        [E2, e[:, :E2.size(1)]], [AT, AT], A, 4),
}


def _as_list(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("dtype", [torch.int32, torch.int16])
def test_an_int32_edge_index_gives_the_int64_numbers(name, dtype):
    call = CALLS[name]
    # lego_fuse's edge lists are the powers' (E2), the others EI
    base = E2 if "fuse" in name else EI
    want, got = _as_list(call(base)), _as_list(call(base.to(dtype)))
    assert len(want) == len(got)
    for w, g in zip(want, got):
        if isinstance(w, torch.Tensor):
            assert g.dtype == w.dtype  # an edge_index returned is torch.long
            assert torch.equal(w, g)
        else:
            assert w == g


def test_an_int32_edge_index_object_is_taken():
    ei = EdgeIndex(EI.int(), sparse_size=(4, 4))
    assert torch.equal(F.normalize(ei, EW, 4), F.normalize(EI, EW, 4))


def test_int32_powers_have_the_int64_gradient():
    w = EW.clone().requires_grad_()
    F.graph_powers(EI.int(), w, 4, 2)[1].sum().backward()
    w64 = EW.clone().requires_grad_()
    F.graph_powers(EI, w64, 4, 2)[1].sum().backward()
    assert torch.equal(w.grad, w64.grad)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bool])
def test_a_non_integer_edge_index_is_refused_naming_it(dtype):
    with pytest.raises(TypeError, match=rf"edge_index must be torch.long \(or another "
                                        rf"integer dtype, which is widened\), got {dtype}"):
        F.normalize(EI.to(dtype), EW, 4)


def test_a_float_edge_index_is_told_how_to_convert():
    with pytest.raises(TypeError, match=r"pass edge_index.long\(\)"):
        F.graph_powers(EI.float(), EW, 4, 2)


def test_abs_degrees_takes_an_int32_edge_index():
    from pyg_fusion.functional.normalization import abs_degrees
    assert torch.equal(abs_degrees(EI.int(), EW, 4), abs_degrees(EI, EW, 4))


def test_an_int32_pair_index_is_refused_saying_how_to_convert():
    # pair_similarity's row / col and coarsen's assign stay torch.long: the
    # error names the argument, its dtype and the conversion
    x = X.float()
    with pytest.raises(TypeError, match=r"col must be torch.long \(unit indices\), got "
                                        r"torch.int32 \(convert it with .long\(\)\)"):
        F.pair_similarity(x, EI[1], EI[0].int())
    with pytest.raises(TypeError, match=r"assign must be torch.long .*got torch.int32 "
                                        r"\(convert it with .long\(\)\)"):
        F.coarsen(EI, EW, torch.tensor([0, 0, 1, 1], dtype=torch.int32), 2)


@pytest.mark.parametrize("dtype", [torch.int32, torch.int16, torch.uint8])
def test_the_gcn_baseline_takes_an_integer_edge_index(dtype):
    # with edge_weight it went on with the caller's tensor: int16 gave torch's
    # 'tensors used as indices must be long, int, byte or bool tensors',
    # uint8 was read as a mask
    from pyg_fusion.nn.baselines import GCN
    gcn = GCN(8, 4, 2).eval()
    x, w = X.float(), EW.float()
    assert torch.equal(gcn(x, EI.to(dtype), w), gcn(x, EI, w))
    assert torch.equal(gcn(x, EI.to(dtype)), gcn(x, EI))
