"""Session 35: a fused graph looked at under ``torch.inference_mode()``
(logging, Lightning's validation) still trains what reads it afterwards."""
import pytest
import torch

from pyg_fusion.nn import LEGO, GraphHead, RowHead

XS = {"a": torch.randn(12, 4, generator=torch.Generator().manual_seed(0)),
      "b": torch.randn(12, 3, generator=torch.Generator().manual_seed(1))}
BATCH = torch.arange(2).repeat_interleave(6)


@pytest.mark.parametrize("backend", ["dense", "sparse"])
def test_forms_derived_under_inference_mode_are_not_kept(backend):
    # they were kept as inference tensors, and every later training step
    # failed: "Inference tensors cannot be saved for backward"
    torch.manual_seed(0)
    lego = LEGO({"a": 4, "b": 3}, 2, k=3, backend=backend)
    with torch.no_grad():
        fixed = lego(XS, BATCH)  # a fixed graph under heads that learn
    with torch.inference_mode():
        fixed.to_dense(), fixed.to_sparse(), fixed.dense_mask()
    RowHead(6)(fixed.to_dense()).sum().backward()
    head = GraphHead(4, 8, 1)
    head(XS["a"], fixed).sum().backward()
    assert head.convs[0].lin_rel.weight.grad is not None
    g = lego(XS, BATCH)
    with torch.inference_mode():
        g.dense_mask()
    (g.to_dense() * g.dense_mask().unsqueeze(-1)).sum().backward()
    assert lego.fusion.A["a|b"].grad is not None
    # a graph made under inference mode keeps its forms there, as before
    with torch.inference_mode():
        inner = lego(XS, BATCH)
        assert inner.to_dense() is inner.to_dense()
        assert inner.dense_mask() is inner.dense_mask()
