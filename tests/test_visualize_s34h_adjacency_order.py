"""plot_adjacency reorders each matrix once (by label) and zeroes the
diagonal of that reordered copy: the picture is the reordered matrix without
its diagonal, and the caller's array (numpy: not copied by graph_to_dense) is
left as it was."""
import matplotlib.pyplot as plt
import numpy as np

from pyg_fusion.visualize import plot_adjacency


def test_label_order_without_diagonal_draws_the_reordered_matrix_and_keeps_the_callers():
    rng = np.random.default_rng(0)
    adj = rng.random((6, 6)) + np.eye(6)
    before = adj.copy()
    labels = np.array([2, 0, 1, 0, 2, 1])
    fig = plot_adjacency({"R": adj}, labels=labels, show_diagonal=False)
    try:
        (im, ) = [im for ax in fig.axes for im in ax.get_images()]
        perm = np.argsort(labels, kind="stable")
        expected = adj[np.ix_(perm, perm)]
        np.fill_diagonal(expected, 0.0)
        np.testing.assert_array_equal(np.asarray(im.get_array()), expected)
        np.testing.assert_array_equal(adj, before)
    finally:
        plt.close(fig)
