"""The references of ``benchmarks/scaling.py``: the scipy powers (the
``scipy`` stage, the anchor the library's powers are timed against: code of
its own, not the library's), and the sampled recall above ``--exact-max``
(the library's :func:`pyg_fusion.functional.knn_recall`)."""
from __future__ import annotations

from _scaling_workload import K, P, PRUNE

RECALL_ROWS = 2048  # the units of the sampled recall, above --exact-max


def _scipy_powers(edge_index, weight, n):
    """Forward anchor: R^2 .. R^P by scipy CSR products, each pruned to the
    PRUNE largest magnitudes per row (argpartition on a padded table)."""
    import numpy as np
    import scipy.sparse as sp
    a = sp.csr_matrix((weight.numpy(), (edge_index[0].numpy(), edge_index[1].numpy())),
                      shape=(n, n))
    cur = a
    for _ in range(2, P + 1):
        cur = cur @ a
        deg = np.diff(cur.indptr)
        width = int(deg.max())
        if width > PRUNE:
            pos = np.arange(cur.nnz) - np.repeat(cur.indptr[:-1], deg)
            rows = np.repeat(np.arange(n), deg)
            table = np.full((n, width), -1.0)
            table[rows, pos] = np.abs(cur.data)
            top = np.argpartition(-table, PRUNE - 1, axis=1)[:, :PRUNE]
            keep = np.zeros((n, width), dtype=bool)
            np.put_along_axis(keep, top, True, axis=1)
            keep &= table >= 0
            sel = keep[rows, pos]
            cur = sp.csr_matrix((cur.data[sel], cur.indices[sel], np.concatenate(
                [[0], np.cumsum(keep.sum(1))])), shape=(n, n))
    return cur


def _sampled_recall(x, edge_index) -> tuple[float, float]:
    """Recall@(k+1) of the kNN graph ``edge_index`` of ``x`` (its self
    loops counted, as ``recall`` counts them against the exact graph) and
    recall@k of its k neighbours, on ``RECALL_ROWS`` units:
    :func:`~pyg_fusion.functional.knn_recall`'s seeded sample, scored in
    torch on ``x``'s device (no faiss, which a CUDA machine may lack).
    Every relationship graph keeps each unit's self loop and the exact
    k + 1 hold it first, so recall@(k+1) = (1 + k recall@k) / (k + 1)
    exactly. Up to this version the sample was 2048 evenly spaced rows
    and a neighbour tied with the k-th counted only if it was the one the
    exact top-k kept; where all units are scored (N <= 2048) both give
    the same figures on the clustered features, and differ by ties alone
    on iid Gaussian ones (N = 1024: 0.49738 then, 0.49750 now)."""
    from pyg_fusion.functional import knn_recall
    neighbours = knn_recall(x, edge_index, K, num_samples=RECALL_ROWS)
    return (1 + K * neighbours) / (K + 1), neighbours
