"""The scatter backend (native index_add or torch_scatter): the same numbers
through LEGO, the automatic choice under deterministic algorithms, and the
switch's errors."""
import pytest
import torch

from pyg_fusion import _scatter
from test_lego_nn import make_batch, twin


@pytest.mark.skipif(not _scatter.HAS_TORCH_SCATTER, reason="torch_scatter not installed")
def test_torch_scatter_backend_gives_the_same_numbers(device):
    batch = make_batch([9, 4], device=device)
    ref = twin("sparse", device, k=3, prune_k=5)(batch)
    with _scatter.scatter_backend("torch_scatter"):
        alt = twin("sparse", device, k=3, prune_k=5)(batch)
    assert torch.equal(ref.edge_index, alt.edge_index)
    assert (ref.edge_weight - alt.edge_weight).abs().max() < 1e-12


def test_auto_scatter_keeps_the_deterministic_sums_torch_was_asked_for(monkeypatch):
    # torch_scatter's CUDA sums are atomic adds in no fixed order, whatever
    # torch.use_deterministic_algorithms says, and "auto" chose it for CUDA
    # tensors even then (native index_add sums in a fixed order there)
    import types
    monkeypatch.setattr(_scatter, "HAS_TORCH_SCATTER", True)
    cuda, cpu = types.SimpleNamespace(is_cuda=True), types.SimpleNamespace(is_cuda=False)
    old = (torch.are_deterministic_algorithms_enabled(),
           torch.is_deterministic_algorithms_warn_only_enabled())
    try:
        torch.use_deterministic_algorithms(False)
        assert _scatter._use_torch_scatter(cuda) and not _scatter._use_torch_scatter(cpu)
        torch.use_deterministic_algorithms(True, warn_only=True)
        assert not _scatter._use_torch_scatter(cuda)
        with _scatter.scatter_backend("torch_scatter"):  # named: used as asked
            assert _scatter._use_torch_scatter(cuda)
    finally:
        torch.use_deterministic_algorithms(old[0], warn_only=old[1])


def test_scatter_backend_switch_errors():
    with pytest.raises(ValueError, match="backend must be one of"):
        _scatter.set_scatter_backend("cuda")
    with _scatter.scatter_backend("native"):
        assert _scatter.get_scatter_backend() == "native"
