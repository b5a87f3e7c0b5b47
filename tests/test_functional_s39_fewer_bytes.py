"""Fewer bytes per entry in the sparse step on CPU, the same entries: the
entries where some power is non-zero are found without an [E, P + 1] bool
temporary (_csr.nonzero_rows), and the intersection of edge lists builds its
scipy matrices from int32 indices, which scipy keeps as they are
(_align.common_edges)."""
import torch

from pyg_fusion.functional import _align, _csr
from pyg_fusion.nn.lego_fusion import _some_power_nonzero

from test_functional_s39_fresh_copies import _Made, _graph


def test_some_power_nonzero_makes_no_bool_array_of_all_the_values(monkeypatch):
    monkeypatch.setattr(_csr, "_ROWS_PER_STEP", 8)
    edge_index, weight = _graph()
    gen = torch.Generator().manual_seed(2)
    attr = torch.rand(weight.numel(), 4, generator=gen)
    attr[torch.rand(attr.shape, generator=gen) < 0.6] = 0  # some rows all 0
    want = attr.ne(0).any(1)
    assert not bool(want.all())
    with _Made() as made:
        index, kept = _some_power_nonzero(edge_index, attr)
    assert torch.equal(index, edge_index[:, want]) and torch.equal(kept, attr[want])
    assert not [op for op in made.ops if op[1] == torch.bool and op[2] == attr.numel()]
    # a strided view (the powers after the zeroth) and one step of rows
    assert torch.equal(_csr.nonzero_rows(attr[:, 1:]), attr[:, 1:].ne(0).any(1))
    monkeypatch.setattr(_csr, "_ROWS_PER_STEP", 2 ** 16)
    assert torch.equal(_csr.nonzero_rows(attr), want)


def test_common_edges_builds_its_matrices_from_int32_indices(monkeypatch):
    n = 60
    edges = [_graph(n, seed)[0] for seed in (0, 1, 2)]
    edges[1] = edges[1][:, torch.randperm(edges[1].size(1),
                                          generator=torch.Generator().manual_seed(3))]
    built = []
    csr_matrix = _align.sp.csr_matrix

    def recording(arg, *args, **kwargs):
        built.append((arg[1].dtype.name, arg[2].dtype.name))
        return csr_matrix(arg, *args, **kwargs)

    monkeypatch.setattr(_align.sp, "csr_matrix", recording)
    own = _align.common_edges(edges, n)
    assert built and all(b == ("int32", "int32") for b in built)
    monkeypatch.setattr(_csr, "BACKEND", "torch")  # through the union
    assert all(torch.equal(a, b) for a, b in zip(own, _align.common_edges(edges, n)))
    assert own[0].numel() and all(a.dtype == torch.long for a in own)
