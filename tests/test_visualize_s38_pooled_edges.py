"""Heatmaps of edge lists are pooled from the edges, without the dense
[N, N] matrix, to the same image as the dense path."""
import matplotlib
import numpy as np
import pytest
import torch

matplotlib.use("Agg")

from pyg_fusion.visualize import plot_adjacency, plot_power_expansion  # noqa: E402
from pyg_fusion.functional import edges_to_dense  # noqa: E402
from pyg_fusion.visualize._matrix import EdgeMatrix, entries, pooled  # noqa: E402


def dense_of_edges(ei, w, n):
    # the dense path the figures drew before: PyG's to_dense_adj, transposed
    return edges_to_dense(torch.tensor(ei), torch.tensor(w), max_num_nodes=n)[0].numpy()


def _graph(n, e, seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    ei = rng.integers(0, n, size=(2, e))
    ei = np.concatenate([ei, ei[:, :e // 4]], axis=1)  # duplicates, summed
    w = rng.normal(size=ei.shape[1]).astype(dtype)
    w[::7] = 0.0  # zero weights
    w[3::5] = np.round(w[3::5])  # ties of |w| (+1 and -1) within a block
    return ei, w


@pytest.mark.parametrize("n,reorder,dtype", [(300, False, np.float64), (777, True, np.float64),
                                             (1000, True, np.float32), (120, True, np.float64)])
def test_pooled_from_edges_equals_the_dense_path(n, reorder, dtype):
    ei, w = _graph(n, n * n // 6, n, dtype)  # dense enough for ties in a block
    dense = dense_of_edges(ei, w, n)
    m = EdgeMatrix.of_edges(ei, w, n)
    if reorder:
        perm = np.random.default_rng(1).permutation(n)
        dense, m = dense[np.ix_(perm, perm)], m.permuted(perm)
    np.fill_diagonal(dense, 0.0)
    m = m.without_diagonal()
    ref, b_ref = pooled(dense)
    img, b = pooled(m)
    assert b == b_ref and (b > 1) == (n > 256)
    assert img.dtype == ref.dtype and np.array_equal(img, ref)
    assert np.array_equal(m.dense(), dense)
    v = entries(m)
    assert (v.min(), v.max()) == (dense.min(), dense.max())
    assert np.array_equal(np.sort(v[v != 0]), np.sort(dense[dense != 0]))


def test_figures_of_edges_draw_the_dense_figures_image():
    n = 600
    ei, w = _graph(n, 5 * n, 3)
    labels = np.random.default_rng(2).integers(0, 5, n)
    dense = torch.from_numpy(dense_of_edges(ei, w, n))
    kw = dict(labels=labels, robust=True, show_diagonal=False)
    a = plot_adjacency({"g": (torch.from_numpy(ei), torch.from_numpy(w))}, num_nodes=n, **kw)
    b = plot_adjacency({"g": dense}, **kw)
    assert np.array_equal(a.axes[0].images[0].get_array(), b.axes[0].images[0].get_array())
    assert a.axes[0].images[0].norm.vmax == b.axes[0].images[0].norm.vmax
    attr = np.stack([w, 2 * w], axis=1)
    c = plot_power_expansion((ei, attr, n), labels=labels, scale="row")
    d = plot_power_expansion(np.stack([dense.numpy(), 2 * dense.numpy()]), labels=labels,
                             scale="row")
    for x, y in zip(c.axes, d.axes):
        if x.images:
            assert np.array_equal(x.images[0].get_array(), y.images[0].get_array())
            assert x.images[0].norm.vmax == y.images[0].norm.vmax
