"""The reference of ``benchmarks/scaling.py`` that is code of its own, not
the library's: the scipy powers (the ``scipy`` stage, the anchor the
library's powers are timed against). The sampled recall above
``--exact-max`` is the library's :func:`pyg_fusion.functional.knn_recall`."""
from __future__ import annotations

from _scaling_workload import P, PRUNE


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
