"""Independent dense references for the LEGO tests, written with numpy and
explicit loops so that they share no code with pyg_fusion."""
import numpy as np


def ref_relation(x, metric="cosine", nonneg="clamp", gamma=None):
    x = np.asarray(x, dtype=np.float64)
    n, d = x.shape
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if metric == "cosine":
                ni, nj = np.linalg.norm(x[i]), np.linalg.norm(x[j])
                s = 1.0 if i == j else (0.0 if ni == 0 or nj == 0 else x[i] @ x[j] / (ni * nj))
            elif metric == "rbf":
                g = 1.0 / d if gamma is None else gamma
                s = np.exp(-g * np.sum((x[i] - x[j]) ** 2))
            else:
                s = x[i] @ x[j]
            if nonneg == "clamp":
                s = max(s, 0.0)
            elif nonneg == "shift":
                s = (s + 1) / 2
            out[i, j] = s
    return out


def ref_knn(adj, k):
    """Keeps the k largest off-diagonal entries per row, and the diagonal."""
    n = adj.shape[0]
    out = np.zeros_like(adj)
    for i in range(n):
        others = [j for j in range(n) if j != i]
        others.sort(key=lambda j: -adj[i, j])
        for j in others[:k]:
            out[i, j] = adj[i, j]
        out[i, i] = adj[i, i]
    return out


def ref_powers(adj, num_powers, norm="sym", mode="matrix"):
    adj = np.asarray(adj, dtype=np.float64)
    n = adj.shape[0]
    deg = adj.sum(1)
    if norm == "sym":
        dinv = np.array([1 / np.sqrt(v) if v > 0 else 0.0 for v in deg])
        r = dinv[:, None] * adj * dinv[None, :]
    elif norm == "row":
        r = np.array([adj[i] / deg[i] if deg[i] > 0 else adj[i] * 0 for i in range(n)])
    else:
        r = adj
    out = [np.eye(n)]
    for p in range(1, num_powers + 1):
        out.append(np.linalg.matrix_power(r, p) if mode == "matrix" else r ** p)
    return np.stack(out)


def ref_fuse(pa, pb, A):
    n = pa.shape[-1]
    g = np.zeros((n, n))
    for p in range(pa.shape[0]):
        for q in range(pb.shape[0]):
            g += A[p, q] * pa[p] * pb[q]
    return g
