"""Counts read from arrays (numpy's integers) are taken by the functional
forms as by the modules: relation_graph's k (searched by faiss, which takes
Python ints only) and knn_recall's seed and sizes give what Python ints give."""
import numpy as np
import pytest
import torch

from pyg_fusion.data import MultiSourceData
from pyg_fusion.functional import (knn_recall, relation_graph, relation_pairs, shared_support,
                                   shared_support_graphs)
from pyg_fusion.transforms import RelationGraphs

i = np.int64


def _x():
    return torch.randn(12, 4, generator=torch.Generator().manual_seed(0))


@pytest.mark.parametrize("knn", ["exact", "approx", "auto"])
@pytest.mark.parametrize("metric", ["cosine", "dot"])
def test_relation_graph_takes_a_numpy_k(knn, metric):
    # was: faiss's "Wrong number or type of arguments for overloaded function
    # 'IndexFlat_search'" (cosine and dot search through faiss when installed)
    x = _x()
    got = relation_graph(x, k=i(3), metric=metric, knn=knn, chunk_size=i(4))
    want = relation_graph(x, k=3, metric=metric, knn=knn, chunk_size=4)
    assert all(torch.equal(a, b) for a, b in zip(got, want))
    assert torch.equal(relation_pairs(x, k=i(3), metric=metric, knn=knn), want[0])


def test_shared_support_and_the_transform_take_a_numpy_k():
    x = _x()
    xs = {"a": x, "b": x.flip(0)}
    assert torch.equal(shared_support(xs, k=i(3)), shared_support(xs, k=3))
    got, want = shared_support_graphs(xs, k=i(3)), shared_support_graphs(xs, k=3)
    assert all(torch.equal(got[s][j], want[s][j]) for s in xs for j in range(2))
    data = MultiSourceData(x_a=x, x_b=x.flip(0))
    out = RelationGraphs(k=i(3))(data)
    assert torch.equal(out.edge_index_a, RelationGraphs(k=3)(data).edge_index_a)


def test_knn_recall_takes_numpy_counts_and_seed():
    # was: 'TypeError: an integer is required' (torch.Generator().manual_seed)
    x = _x()
    edge_index, _ = relation_graph(x, k=3)
    assert knn_recall(x, edge_index, i(3), num_samples=i(5), seed=i(1)) == \
        knn_recall(x, edge_index, 3, num_samples=5, seed=1)
