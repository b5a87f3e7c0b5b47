"""torch.compile of LEGO: dense and sparse, static and dynamic shapes.

Graph capture with dynamo (``backend="eager"``, static and dynamic shapes:
dynamo's tracing is where compilation broke before, e.g. the sparse kNN
similarities on torch 2.5, static or dynamic): graph breaks (the
data-dependent backend choice and output sizes, the faiss search) are
allowed, errors are not. Those four run by default: ~2-11 s of CPU each on
the loaded 2-core CPU (the sparse path with dynamic shapes traces 45 small
graphs). The default inductor backend (AOTAutograd and C++ code generation)
takes 30-80 s per model there: those are marked slow
(``python -m pytest -m slow``)."""
import pytest
import torch

from pyg_fusion.nn import LEGO

# torch 2.5's inductor sets flush-to-zero process-wide (conftest)
pytestmark = pytest.mark.usefixtures("keeps_subnormals")


def _inputs(device):
    g = torch.Generator().manual_seed(0)
    xs = {"a": torch.randn(40, 6, generator=g), "b": torch.randn(40, 5, generator=g)}
    batch = torch.tensor([0] * 25 + [1] * 15)
    return {s: x.to(device) for s, x in xs.items()}, batch.to(device)


def _run(model, xs, batch):
    xs = {s: x.clone().requires_grad_() for s, x in xs.items()}
    g = model(xs, batch)
    out = g.to_dense()
    out.square().sum().backward()
    return out.detach(), [xs[s].grad for s in sorted(xs)]


def _check(device, backend, dynamic, compile_backend):
    # dynamo caches per code object across the tests of a process: from its
    # recompile limit on, a function runs uncompiled (and such a test passes)
    torch._dynamo.reset()
    xs, batch = _inputs(device)
    torch.manual_seed(0)
    model = LEGO({"a": 6, "b": 5}, 2, k=4, prune_k=6, backend=backend).to(device).eval()
    out, grads = _run(model, xs, batch)
    compiled = torch.compile(model, dynamic=dynamic, backend=compile_backend)
    out_c, grads_c = _run(compiled, xs, batch)
    assert torch._dynamo.utils.counters["stats"]["unique_graphs"] > 0  # it was traced
    assert (out - out_c).abs().max() < 1e-5
    for g, gc in zip(grads, grads_c):
        assert (g - gc).abs().max() < 1e-5


@pytest.mark.parametrize("dynamic", [False, True])
@pytest.mark.parametrize("backend", ["dense", "sparse"])
def test_compiled_lego_matches_eager(device, backend, dynamic):
    _check(device, backend, dynamic, "eager")


@pytest.mark.slow
@pytest.mark.parametrize("backend,dynamic", [
    ("dense", None), ("dense", True), ("sparse", None), ("sparse", True)])
def test_compiled_lego_matches_eager_inductor(device, backend, dynamic):
    _check(device, backend, dynamic, "inductor")


def test_finiteness_check_compiles_and_still_fails():
    model = LEGO({"a": 3, "b": 3}, 1, k=2, backend="sparse")
    xs = {"a": torch.randn(6, 3), "b": torch.randn(6, 3)}
    xs["b"][2, 1] = float("nan")
    with pytest.raises(ValueError, match=r"xs\['b'\] contains 1 NaN or Inf value"):
        model(xs)
    # Inside a graph the check is an assertion with the same message.
    with pytest.raises(RuntimeError, match=r"xs\['b'\] contains NaN or Inf value"):
        torch.compile(model, backend="aot_eager", dynamic=True)(xs)


def test_range_check_compiles_without_a_graph_break_and_still_fails():
    """The index range check runs in the graph (an assertion), as the
    finiteness check does: with a graph break there, dynamo (dynamic
    shapes) failed a later check of valid input three calls up."""
    from pyg_fusion.functional import graph_powers
    g = torch.Generator().manual_seed(0)
    ei = torch.randint(0, 50, (2, 200), generator=g)
    w = torch.rand(200, generator=g)
    run = torch.compile(lambda e, v: graph_powers(e, v, 50, 2), dynamic=True, backend="eager")
    torch._dynamo.reset()
    torch.testing.assert_close(run(ei, w)[1], graph_powers(ei, w, 50, 2)[1])
    bad = ei.clone()
    bad[0, 3] = 50
    with pytest.raises(RuntimeError, match="edge_index holds node indices outside"):
        run(bad, w)


def test_batch_check_runs_in_the_graph():
    """A compiled LEGO refuses an unsorted batch with the same message (an
    assertion in the graph) and runs a sorted one as eager does."""
    model = LEGO({"a": 3, "b": 3}, 1, k=2, backend="dense").eval()
    xs = {"a": torch.randn(6, 3), "b": torch.randn(6, 3)}
    run = torch.compile(model, backend="eager", dynamic=True)
    good = torch.tensor([0, 0, 0, 1, 1, 1])
    torch.testing.assert_close(run(xs, good).to_dense(), model(xs, good).to_dense())
    with pytest.raises((RuntimeError, ValueError), match="batch must be sorted"):
        run(xs, torch.tensor([0, 1, 0, 1, 0, 1]))


def test_each_autocast_wrapper_compiles_once():
    # every function under float32_under_autocast shared one wrapper code
    # object, which dynamo caches per code: user code reaching a 2nd one
    # through a graph break recompiled it, and from the 9th on (its
    # recompile_limit) ran them uncompiled
    import inspect

    import pyg_fusion.functional as F
    from pyg_fusion.functional._autocast import float32_under_autocast

    wrapped = [f for _, f in inspect.getmembers(F, inspect.isfunction)
               if hasattr(f, "__wrapped__")]
    assert len(wrapped) > 8 and len({f.__code__ for f in wrapped}) == len(wrapped)

    @float32_under_autocast
    def one(x):
        if bool(x.sum() > 1e9):  # a graph break (data-dependent branch)
            x = x - 1
        return x * 2

    @float32_under_autocast
    def two(x):
        if bool(x.sum() > 1e9):
            x = x - 1
        return x * 3

    def user(x):
        return two(one(x))

    torch._dynamo.reset()
    with torch._dynamo.config.patch(error_on_recompile=True):
        out = torch.compile(user, backend="eager")(torch.ones(3))
    assert torch.equal(out, torch.full((3, ), 6.0))
