"""No int64 copies of a sparse step's per-entry index arrays on CPU, the same
entries: the locality order's restore reads int32 columns as they are
(order.restore_rows), the powers read a coalesced edge list without flipped
copies of it (powers._graph_powers), and the product backward numbers B's
entries in int32 where they fit (_spgemm_backward)."""
import torch
from torch.utils._python_dispatch import TorchDispatchMode

from pyg_fusion.functional import _spgemm_backward, graph_powers, order

from test_csr import _random_pattern


class _Made(TorchDispatchMode):
    # every op run, with the dtype and size of each tensor it returned
    def __init__(self):
        super().__init__()
        self.ops = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for t in (out if isinstance(out, (tuple, list)) else (out, )):
            if isinstance(t, torch.Tensor):
                self.ops.append((func.overloadpacket.__name__, t.dtype, t.numel()))
        return out


def _graph(n=60, seed=0):
    ptr, col = _random_pattern(n, 0.15, seed)
    dst = torch.repeat_interleave(torch.arange(n), ptr[1:] - ptr[:-1])
    weight = torch.rand(col.numel(), generator=torch.Generator().manual_seed(seed)) + 0.1
    return torch.stack([col, dst]), weight  # (source, target), sorted by target


def test_restore_rows_reads_int32_columns_without_an_int64_copy():
    n = 50
    ptr, col = _random_pattern(n, 0.2, 3)
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(4))
    wide = order.restore_rows(ptr, col, perm)  # int64 columns
    with _Made() as made:
        narrow = order.restore_rows(ptr.int(), col.int(), perm)
    assert all(torch.equal(a, b) for a, b in zip(wide, narrow))
    # the edge list is the only int64 output: [2, E], never a copy of [E]
    assert not [op for op in made.ops if op[1] == torch.long and op[2] == col.numel()]


def test_powers_of_a_coalesced_graph_flip_no_copy_of_it():
    edge_index, weight = _graph()
    shuffled = torch.randperm(weight.numel(), generator=torch.Generator().manual_seed(5))
    with _Made() as made:
        index, attr = graph_powers(edge_index, weight, 60, 3, prune_k=4)
    assert not [op for op in made.ops if op[0] == "flip"]
    # an edge list in another order is coalesced first: the same powers
    other = graph_powers(edge_index[:, shuffled], weight[shuffled], 60, 3, prune_k=4)
    assert torch.equal(index, other[0]) and torch.equal(attr, other[1])


def test_product_backward_numbers_entries_in_int32(monkeypatch):
    # both sides of the enumeration: B's entry numbers (side "a") and its
    # transpose (side "g") made in int32, the same gradients
    edge_index, weight = _graph(seed=1)
    grads = {}
    for side in ("a", "g"):
        monkeypatch.setattr(_spgemm_backward, "SIDE", side)
        w = weight.clone().requires_grad_()
        with _Made() as made:
            _, attr = graph_powers(edge_index, w, 60, 3, prune_k=4)
            (attr[:, 2:] * torch.linspace(0.5, 2, attr.size(0)).unsqueeze(1)).sum().backward()
        grads[side] = w.grad
        assert not [op for op in made.ops if op[0] in ("arange", "_to_copy")
                    and op[1] == torch.long and op[2] == weight.numel()], side
    torch.testing.assert_close(grads["a"], grads["g"], rtol=1e-6, atol=1e-7)
