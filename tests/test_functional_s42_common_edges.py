"""The intersection of edge lists on CPU (_align.common_edges) reads every
input but the first against the intersection, not against the other inputs'
whole patterns, and builds its scipy matrices in one data type (scipy's
product copies an operand of another type to the common one): the same
numbers as through the union."""
import torch

from pyg_fusion.functional import _align, _csr

from test_functional_s39_fresh_copies import _graph


def test_common_edges_reads_the_other_inputs_against_the_intersection(monkeypatch):
    n = 60
    edges = [_graph(n, seed)[0] for seed in (0, 1, 2)]
    edges[2] = edges[2][:, torch.randperm(edges[2].size(1),
                                          generator=torch.Generator().manual_seed(3))]
    built = []
    csr_matrix = _align.sp.csr_matrix

    def recording(arg, *args, **kwargs):
        built.append((arg[0].size, arg[0].dtype.name))
        return csr_matrix(arg, *args, **kwargs)

    monkeypatch.setattr(_align.sp, "csr_matrix", recording)
    own = _align.common_edges(edges, n)
    common = own[0].numel()
    assert common and all(o.numel() == common for o in own)
    sizes = [e.size(1) for e in edges]
    # input 0 against the others, then each other input against the intersection
    assert sorted(s for s, _ in built) == sorted(sizes + sizes[1:] + [common, common])
    assert {d for _, d in built} == {"int32"}
    monkeypatch.setattr(_csr, "BACKEND", "torch")  # through the union
    assert all(torch.equal(a, b) for a, b in zip(own, _align.common_edges(edges, n)))
    for ei, o in zip(edges, own):
        assert torch.equal(ei[:, o], edges[0][:, own[0]])
