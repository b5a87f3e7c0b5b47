"""The references of ``benchmarks/scaling.py`` that are code of their own,
not the library's: the scipy powers (the ``scipy`` stage, the anchor the
library's powers are timed against) and the sampled recall of an
approximate kNN graph against an exact search (above ``--exact-max``)."""
from __future__ import annotations

from _scaling_workload import K, P, PRUNE

RECALL_ROWS = 2048


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
    """Recall@(k+1) of a kNN graph on RECALL_ROWS evenly spaced rows against
    an exact cosine search of those rows, and the recall of the k neighbours
    without the self loop (which every search keeps). The exact search is a
    plain chunked matmul + top-k on x's device, independent of the library's
    kNN code (and of faiss, which a CUDA machine may lack)."""
    import torch
    n = x.size(0)
    s = min(n, RECALL_ROWS)
    rows = torch.arange(s) * n // s
    with torch.no_grad():
        xn = torch.nn.functional.normalize(x.detach().float(), dim=-1)
        q = xn[rows.to(xn.device)]
        best_v = torch.full((s, 0), float("-inf"), device=xn.device)
        best_i = torch.zeros((s, 0), dtype=torch.long, device=xn.device)
        for start in range(0, n, 1 << 16):
            sim = q @ xn[start:start + (1 << 16)].T
            v, i = torch.cat([best_v, sim], 1), torch.cat([best_i, torch.arange(
                start, start + sim.size(1), device=xn.device).expand(s, -1)], 1)
            top = v.topk(min(K + 1, v.size(1)), dim=1)
            best_v, best_i = top.values, i.gather(1, top.indices)
    truth = best_i.cpu()
    src, dst = edge_index[0].cpu(), edge_index[1].cpu()
    pos = torch.full((n, ), -1, dtype=torch.long)
    pos[rows] = torch.arange(s)
    keep = pos[dst] >= 0
    got = set(zip(pos[dst[keep]].tolist(), src[keep].tolist()))
    want = set((i, j) for i, r in enumerate(truth.tolist()) for j in r if j >= 0)
    loops = set((i, int(r)) for i, r in enumerate(rows.tolist()))
    return len(got & want) / len(want), len((got & want) - loops) / len(want - loops)
