"""torch.compile(lego_fuse_sparse, dynamic=True) with a ``batch`` and
``term_scale="none"`` (the sparse LEGO's call) failed under the default
inductor on torch 2.13 with ``NameError: name 's2' is not defined``: the
batch's length check (a guard ``batch.size(0) == num_nodes``) renamed the
size of the in-graph index range check to the batch's length, and the
batch, unread, was no input of the generated code. The length check runs in
the graph under compile (an assertion, as the range check); both still
refuse bad input there."""
import pytest
import torch

from pyg_fusion.functional import lego_fuse_sparse

# torch 2.5's inductor sets flush-to-zero process-wide (conftest)
pytestmark = pytest.mark.usefixtures("keeps_subnormals")


def test_sparse_fusion_with_an_unread_batch_compiles_dynamic_and_checks():
    g = torch.Generator().manual_seed(0)
    n = 12
    ea = torch.unique(torch.randint(0, n, (2, 30), generator=g), dim=1)
    eb = torch.unique(torch.randint(0, n, (2, 30), generator=g), dim=1)
    xa, xb = torch.randn(ea.size(1), 3, generator=g), torch.randn(eb.size(1), 3, generator=g)
    A = torch.randn(3, 3, generator=g)
    batch = torch.tensor([0] * 7 + [1] * 5)
    torch._dynamo.reset()
    run = torch.compile(lambda ea, eb, batch: lego_fuse_sparse(ea, xa, eb, xb, A, n, batch=batch),
                        dynamic=True)
    index, weight = run(ea, eb, batch)
    ref_index, ref_weight = lego_fuse_sparse(ea, xa, eb, xb, A, n, batch=batch)
    assert torch.equal(index, ref_index)
    assert (weight - ref_weight).abs().max() < 1e-5
    bad = ea.clone()
    bad[0, 3] = n
    # torch 2.5's inductor drops the graph's assertions on the CPU (the
    # probe below); the eager backend keeps them on every version
    runs = [torch.compile(lambda ea, eb, batch: lego_fuse_sparse(ea, xa, eb, xb, A, n,
                                                                 batch=batch),
                          dynamic=True, backend="eager")]
    if _inductor_keeps_assertions():
        runs.append(run)
    for compiled in runs:
        with pytest.raises(RuntimeError, match=r"edge_index_a holds node indices outside \[0, "):
            compiled(bad, eb, batch)
        with pytest.raises(RuntimeError, match="batch must have one entry per node"):
            compiled(ea, eb, batch[:-1])
    # eager: the same refusals, with the counts
    with pytest.raises(ValueError, match=r"batch must have one entry per node \(12\), got 11"):
        lego_fuse_sparse(ea, xa, eb, xb, A, n, batch=batch[:-1])


def _inductor_keeps_assertions() -> bool:
    probe = torch.compile(lambda x: (torch._assert_async((x > 0).all(), "probe"), x * 2)[1])
    try:
        probe(-torch.ones(3))
    except RuntimeError:
        return True
    return False
