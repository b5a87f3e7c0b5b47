"""16-bit inputs outside autocast (a model or data in .half() / .bfloat16()):
each operator of pyg_fusion.functional answers in 16 bits within 3e-2 of
the float64 result, relative to its largest entry, on a batch that holds
graphs of 1, 2 and 9 nodes (the same neighbours chosen, as their gaps
are far wider than 16-bit rounding here)."""
import pytest
import torch

import pyg_fusion.functional as F

TOL = 3e-2


def _cases():
    g = torch.Generator().manual_seed(0)
    n = 12
    x = torch.randn(n, 5, dtype=torch.float64, generator=g)
    batch = torch.tensor([0] + [1] * 2 + [2] * 9)
    ei, w = F.relation_graph(x, batch, k=3)
    adj = F.edges_to_dense(ei, w).squeeze(0)
    ia, aa = F.graph_powers(ei, w, n, 2)
    ib, ab = F.graph_powers(ei.flip(0), w, n, 2)
    pa, pb = F.dense_graph_powers(adj, 2), F.dense_graph_powers(adj.t(), 2)
    A = torch.randn(3, 3, dtype=torch.float64, generator=g)
    y = torch.rand(n, 3, dtype=torch.float64, generator=g)
    assign = torch.arange(n) // 3
    return {
        "dense_relation_graph": lambda d: F.dense_relation_graph(x.to(d)),
        "relation_graph": lambda d: F.relation_graph(x.to(d), batch, k=3),
        "relation_graph threshold": lambda d: F.relation_graph(x.to(d), batch, threshold=0.3),
        "pair_similarity": lambda d: F.pair_similarity(x.to(d), ei[0], ei[1]),
        "normalize": lambda d: F.normalize(ei, w.to(d), n),
        "dense_normalize": lambda d: F.dense_normalize(adj.to(d)),
        "graph_powers": lambda d: F.graph_powers(ei, w.to(d), n, 3),
        "graph_powers prune_k": lambda d: F.graph_powers(ei, w.to(d), n, 3, prune_k=2),
        "dense_graph_powers": lambda d: F.dense_graph_powers(adj.to(d), 3),
        "lego_fuse": lambda d: F.lego_fuse(pa.to(d), pb.to(d), A.to(d)),
        "lego_fuse_sparse": lambda d: F.lego_fuse_sparse(ia, aa.to(d), ib, ab.to(d), A.to(d), n),
        "coarsen": lambda d: F.coarsen(ei, w.to(d), assign, 4),
        "dense_coarsen": lambda d: F.dense_coarsen(adj.to(d), assign, 4),
        "label_propagation": lambda d: F.label_propagation(y.to(d), ei, w.to(d), num_layers=5),
        "dense_label_propagation": lambda d: F.dense_label_propagation(y.to(d), adj.to(d),
                                                                       num_layers=5),
        "graph_degrees": lambda d: F.graph_degrees(ei, w.to(d), n, 0.5),
        "dense_graph_degrees": lambda d: F.dense_graph_degrees(adj.to(d)),
        "dense_topk": lambda d: F.dense_topk(adj.to(d), 2),
        "edges_to_dense": lambda d: F.edges_to_dense(ei, w.to(d)),
    }


CASES = _cases()


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize("name", list(CASES))
def test_sixteen_bit_inputs_are_close_to_float64(name, dtype):
    ref, got = CASES[name](torch.float64), CASES[name](dtype)
    for r, o in zip(*(v if isinstance(v, tuple) else (v, ) for v in (ref, got))):
        if not r.is_floating_point():
            assert torch.equal(o, r), name  # the same edges
            continue
        assert o.shape == r.shape and torch.isfinite(o).all()
        err = (o.double() - r).abs().max() / r.abs().max().clamp(min=1e-12)
        assert err <= TOL, f"{name}: relative error {err:.3g} in {o.dtype}"
