"""Independent references, written from the formulas of the docstrings and
docs/methods.md with numpy and explicit loops, for the operators whose tests
compared them only with another form of the same code: signed normalisation
(absolute degrees), pruned powers, the CP operator, the Hadamard-identity
zeroth power, top-k by magnitude, rbf with a given gamma, the conversions,
degrees with a threshold and the degree-variance loss."""
import numpy as np
import pytest
import torch

import pyg_fusion.functional as F
from lego_reference import ref_relation

D = torch.float64
N = 6
EI = [[0, 1, 1, 2, 0, 3, 3, 2, 4, 1], [1, 0, 0, 2, 0, 4, 3, 0, 3, 0]]


def _graph(device):
    g = torch.Generator().manual_seed(0)
    w = torch.rand(len(EI[0]), generator=g, dtype=D) + 0.2
    w[4] = -0.7
    return torch.tensor(EI, device=device), w.to(device)


def ref_dense(ei, w, n=N):
    out = np.zeros((n, n))
    for (j, i), v in zip(np.asarray(ei).T.tolist(), np.asarray(w).tolist()):
        out[i, j] += v  # the edge j -> i is entry [i, j]; repeats add up
    return out


def ref_normalize(adj, norm):
    adj = np.asarray(adj, dtype=np.float64)
    n = adj.shape[0]
    deg = [sum(abs(adj[i, j]) for j in range(n)) for i in range(n)]  # |R| row sums
    out = np.zeros_like(adj)
    for i in range(n):
        for j in range(n):
            if norm is None:
                out[i, j] = adj[i, j]
            elif norm == "row":
                out[i, j] = adj[i, j] / deg[i] if deg[i] > 0 else 0.0
            else:
                out[i, j] = (adj[i, j] / np.sqrt(deg[i] * deg[j])
                             if deg[i] > 0 and deg[j] > 0 else 0.0)
    return out


def ref_prune(m, k):
    """Each row's k largest magnitudes (ties to the smaller column)."""
    out = np.zeros_like(m)
    for i in range(m.shape[0]):
        cols = sorted(range(m.shape[1]), key=lambda j: (-abs(m[i, j]), j))[:k]
        out[i, cols] = m[i, cols]
    return out


def ref_pruned_powers(adj, num_powers, norm, k):
    r = ref_normalize(adj, norm)
    out, cur = [np.eye(adj.shape[0])], None
    for p in range(1, num_powers + 1):
        cur = r if p == 1 else ref_prune(cur @ r, k)
        out.append(cur)
    return np.stack(out)


@pytest.mark.parametrize("norm", ["sym", "row", None])
def test_signed_normalisation_with_repeated_edges(norm, device):
    ei, w = _graph(device)
    ref = ref_normalize(ref_dense(ei.cpu(), w.cpu()), norm)
    sparse = F.edges_to_dense(ei, F.normalize(ei, w, N, norm), max_num_nodes=N)[0]
    np.testing.assert_allclose(sparse.cpu().numpy(), ref, rtol=0, atol=1e-12)
    dense = F.dense_normalize(F.edges_to_dense(ei, w, max_num_nodes=N)[0], norm)
    np.testing.assert_allclose(dense.cpu().numpy(), ref, rtol=0, atol=1e-12)


@pytest.mark.parametrize("norm", ["sym", "row"])
@pytest.mark.parametrize("k", [1, 2, 4])
def test_pruned_powers(norm, k, device):
    g = torch.Generator().manual_seed(1)
    n = 9
    mask = torch.rand(n, n, generator=g) < 0.45
    adj = (torch.rand(n, n, generator=g, dtype=D) + 0.1) * mask
    adj = adj * torch.where(torch.rand(n, n, generator=g) < 0.2, -1.0, 1.0).double()
    ref = ref_pruned_powers(adj.numpy(), 4, norm, k)
    dense = F.dense_graph_powers(adj.to(device), 4, norm, prune_k=k)
    np.testing.assert_allclose(dense.cpu().numpy(), ref, rtol=0, atol=1e-12)
    ei, w = F.dense_to_edges(adj.to(device))
    idx, attr = F.graph_powers(ei, w, n, 4, norm=norm, prune_k=k)
    sparse = F.edges_to_dense(idx, attr, max_num_nodes=n)[0].permute(2, 0, 1)
    np.testing.assert_allclose(sparse.cpu().numpy(), ref, rtol=0, atol=1e-12)
    assert (np.count_nonzero(ref[2:], axis=-1) <= k).all()


def _powers(device, n=7):
    g = torch.Generator().manual_seed(2)
    xs = [torch.randn(n, d, generator=g, dtype=D) for d in (3, 4, 2)]
    dense = [F.dense_graph_powers(F.dense_topk(F.dense_relation_graph(x), 2), p)
             for x, p in zip(xs, (2, 1, 3))]
    sparse = [F.graph_powers(*F.relation_graph(x.to(device), k=2), n, p)
              for x, p in zip(xs, (2, 1, 3))]
    return [p.numpy() for p in dense], dense, sparse


def ref_with_ones(powers):
    on = np.zeros(powers[0].shape[1:], dtype=bool)
    for pw in powers:
        on |= (pw != 0).any(0)
    return [np.concatenate([on[None].astype(float), pw[1:]]) for pw in powers]


def ref_cp(powers, factors):
    n = powers[0].shape[-1]
    g = np.zeros((n, n))
    for r in range(factors[0].shape[0]):
        term = np.ones((n, n))
        for pw, f in zip(powers, factors):
            term = term * sum(f[r, p] * pw[p] for p in range(pw.shape[0]))
        g += term
    return g


@pytest.mark.parametrize("zeroth", ["identity", "ones"])
def test_cp_operator_of_rank_two(zeroth, device):
    ref_pw, dense, sparse = _powers(device)
    g = torch.Generator().manual_seed(3)
    factors = [torch.randn(2, p.shape[0], generator=g, dtype=D) for p in ref_pw]
    want = ref_cp(ref_with_ones(ref_pw) if zeroth == "ones" else ref_pw,
                  [f.numpy() for f in factors])
    fd = [f.to(device) for f in factors]
    got = F.lego_fuse_cp([p.to(device) for p in dense], fd, zeroth=zeroth)
    np.testing.assert_allclose(got.cpu().numpy(), want, rtol=0, atol=1e-12)
    ei, w = F.lego_fuse_cp_sparse([s[0] for s in sparse], [s[1] for s in sparse], fd, 7,
                                  zeroth=zeroth)
    np.testing.assert_allclose(F.edges_to_dense(ei, w, max_num_nodes=7)[0].cpu().numpy(),
                               want, rtol=0, atol=1e-12)


def test_pairwise_operator_with_the_hadamard_identity(device):
    ref_pw, dense, sparse = _powers(device)
    A = torch.randn(3, 2, generator=torch.Generator().manual_seed(4), dtype=D)
    pa, pb = ref_with_ones(ref_pw[:2])
    want = sum(A[p, q].item() * pa[p] * pb[q] for p in range(3) for q in range(2))
    # the constant A[0, 0] lies on every entry where a power of a or b is non-zero
    assert np.count_nonzero(pa[0]) > 7
    got = F.lego_fuse(dense[0].to(device), dense[1].to(device), A.to(device), zeroth="ones")
    np.testing.assert_allclose(got.cpu().numpy(), want, rtol=0, atol=1e-12)
    ei, w = F.lego_fuse_sparse(*sparse[0], *sparse[1], A.to(device), 7, zeroth="ones")
    np.testing.assert_allclose(F.edges_to_dense(ei, w, max_num_nodes=7)[0].cpu().numpy(),
                               want, rtol=0, atol=1e-12)


def test_top_k_by_magnitude_with_ties(device):
    adj = torch.tensor([[0.5, -0.5, 0.5, 0.1], [-2.0, 1.0, 2.0, 0.0],
                        [0.3, 0.3, 0.3, 0.3], [0.0, 0.0, 0.0, 0.0]], dtype=D)
    for k in (1, 2, 3, 5):
        got = F.dense_topk(adj.to(device), k, include_diagonal=True)
        np.testing.assert_array_equal(got.cpu().numpy(), ref_prune(adj.numpy(), k))
    # without the diagonal: the k largest signed values besides it, the diagonal kept
    got = F.dense_topk(adj.to(device), 1)
    want = np.diag(np.diag(adj.numpy()))
    for i, j in enumerate([2, 2, 0, 0]):
        want[i, j] = adj[i, j]
    np.testing.assert_array_equal(got.cpu().numpy(), want)


@pytest.mark.parametrize("metric,nonneg", [("rbf", "clamp"), ("rbf", None),
                                           ("cosine", "shift")])
def test_pair_similarity_and_graphs_with_a_given_gamma(metric, nonneg, device):
    x = torch.randn(8, 3, generator=torch.Generator().manual_seed(5), dtype=D)
    ref = ref_relation(x.numpy(), metric, nonneg, gamma=2.5)
    gamma = 2.5 if metric == "rbf" else None
    row, col = torch.tensor([0, 3, 7, 2, 2, 5]), torch.tensor([1, 3, 0, 6, 2, 4])
    got = F.pair_similarity(x.to(device), row.to(device), col.to(device), metric, nonneg,
                            gamma=gamma)
    np.testing.assert_allclose(got.cpu().numpy(), ref[row, col], rtol=0, atol=1e-12)
    dense = F.dense_relation_graph(x.to(device), metric, nonneg, gamma=gamma)
    np.testing.assert_allclose(dense.cpu().numpy(), ref, rtol=0, atol=1e-12)
    ei, w = F.relation_graph(x.to(device), metric=metric, nonneg=nonneg, gamma=gamma)
    np.testing.assert_allclose(F.edges_to_dense(ei, w)[0].cpu().numpy(), ref, rtol=0,
                               atol=1e-12)


def test_conversions_of_a_batch(device):
    ei, w = _graph(device)
    batch = torch.tensor([0, 0, 0, 0, 0, 1, 2, 2], device=device)  # graph 1: one node
    ei = torch.cat([ei, torch.tensor([[6, 7, 7], [7, 6, 7]], device=device)], 1)
    w = torch.cat([w, torch.tensor([1.5, -2.0, 3.0], dtype=D, device=device)])
    got = F.edges_to_dense(ei, w, batch)
    assert got.shape == (3, 5, 5)
    big = ref_dense(ei.cpu(), w.cpu(), n=8)
    for b, (start, size) in enumerate([(0, 5), (5, 1), (6, 2)]):
        want = np.zeros((5, 5))
        want[:size, :size] = big[start:start + size, start:start + size]
        np.testing.assert_array_equal(got[b].cpu().numpy(), want)
    mask = torch.zeros(3, 5, dtype=torch.bool, device=device)
    mask[0, :5], mask[1, :1], mask[2, :2] = True, True, True
    back_ei, back_w = F.dense_to_edges(got, mask)
    # the non-zero entries of the batch's graph, sorted by target, then source
    want = sorted((j, i, big[i, j]) for i in range(8) for j in range(8) if big[i, j] != 0)
    want.sort(key=lambda e: (e[1], e[0]))
    assert back_ei.t().tolist() == [[j, i] for j, i, _ in want]
    np.testing.assert_allclose(back_w.cpu().numpy(), [v for _, _, v in want], rtol=0,
                               atol=1e-15)


@pytest.mark.parametrize("alpha", [None, 0.6, 1.0])
def test_degrees_apply_alpha_to_the_summed_entries(alpha, device):
    ei, w = _graph(device)
    adj = ref_dense(ei.cpu(), w.cpu())
    want = [sum(v for v in adj[i] if alpha is None or v >= alpha) for i in range(N)]
    np.testing.assert_allclose(F.graph_degrees(ei, w, N, alpha).cpu().numpy(), want,
                               rtol=0, atol=1e-12)
    dense = F.dense_graph_degrees(F.edges_to_dense(ei, w, max_num_nodes=N)[0], alpha)
    np.testing.assert_allclose(dense.cpu().numpy(), want, rtol=0, atol=1e-12)


def test_degree_variance_loss_of_several_videos(device):
    g = torch.Generator().manual_seed(6)
    sizes, labels = [4, 2, 5, 3, 1], [0, 1, 1, 0, 1]
    deg = torch.rand(sum(sizes), generator=g, dtype=D)
    batch = torch.arange(5).repeat_interleave(torch.tensor(sizes))
    normal, top = [], []
    for v, (size, label) in enumerate(zip(sizes, labels)):
        d = sorted(deg[batch == v].tolist(), reverse=True)
        (top if label else normal).extend(d[:3] if label else d)  # k = 3 (or all)
    want = (np.var(normal, ddof=1) - np.var(top, ddof=1)) ** 2
    got = F.degree_variance_loss(deg.to(device), batch.to(device),
                                 torch.tensor(labels, device=device), k=3)
    assert got.item() == pytest.approx(want, rel=1e-12, abs=0)
