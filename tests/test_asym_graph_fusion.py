"""AsymGraphFusion, the graph variant of AsymFusion's exchange: node
features of aligned sources, shifted along sequences or edges."""
import pytest
import torch

from pyg_fusion.nn.asym import AsymGraphFusion
from test_asym_nn import _count, _leaf, _randn


def test_graph_fusion_interface_and_parameters(device):
    torch.manual_seed(0)
    mod = AsymGraphFusion({"i3d": 12, "c3d": 7}, 10, num_layers=2).to(device)
    xs = {"i3d": _randn(9, 12, device=device), "c3d": _randn(9, 7, device=device)}
    out = mod(xs, batch=torch.tensor([0] * 5 + [1] * 4, device=device))
    assert set(out) == {"i3d", "c3d"} and out["c3d"].shape == (9, 10)
    assert out["i3d"].device.type == device.type
    # shared linears once per layer, private input maps and norms per source
    shared = 2 * 3 * (10 * 10 + 10)
    private = (12 * 10 + 10) + (7 * 10 + 10) + 2 * 3 * 2 * (2 * 10)
    assert _count(mod) == shared + private
    cat = AsymGraphFusion({"a": 6, "b": 6}, 5, combine="concat", shift="none").to(device)
    ab = {"a": _randn(4, 6, device=device), "b": _randn(4, 6, device=device)}
    got = cat(ab)
    assert got.shape == (4, 10) and got.device.type == device.type
    # the per-source outputs of the same weights, side by side
    per = AsymGraphFusion({"a": 6, "b": 6}, 5, shift="none").to(device)
    per.load_state_dict(cat.state_dict())
    want = per(ab)
    assert torch.equal(got, torch.cat([want["a"], want["b"]], dim=-1))
    with pytest.raises(ValueError, match="aligned"):
        mod({"i3d": _randn(9, 12, device=device), "c3d": _randn(8, 7, device=device)})
    with pytest.raises(ValueError, match="lacks"):
        mod({"i3d": _randn(9, 12, device=device)})
    with pytest.raises(ValueError, match="edge_index"):
        AsymGraphFusion({"a": 3, "b": 3}, 5, shift="edge")(
            {"a": torch.randn(2, 3), "b": torch.randn(2, 3)})
    # bad options fail when the module is built, as the image blocks do
    with pytest.raises(ValueError, match="ratio"):
        AsymGraphFusion({"a": 3, "b": 3}, 10, ratio=0.5)
    for p in (1.5, -1.0):
        with pytest.raises(ValueError, match="dropout"):
            AsymGraphFusion({"a": 3, "b": 3}, 10, dropout=p)


@pytest.mark.parametrize("shift,shuffle", [("temporal", False), ("edge", False),
                                           ("none", True), ("none", False)])
def test_graph_fusion_exchanges_between_sources(shift, shuffle, device):
    torch.manual_seed(0)
    mod = AsymGraphFusion({"a": 5, "b": 5}, 10, shift=shift, shuffle=shuffle,
                          norm="layer").to(device)
    a = _leaf(6, 5, device=device)
    b = _leaf(6, 5, device=device)
    ei = torch.tensor([[0, 1, 2, 3, 4], [1, 2, 3, 4, 5]], device=device)
    mod({"a": a, "b": b}, edge_index=ei)["a"].sum().backward()
    crossed = b.grad is not None and b.grad.abs().sum() > 0
    assert crossed == (shift != "none" or shuffle)


def test_graph_temporal_shift_stays_inside_sequences(device):
    torch.manual_seed(0)
    mod = AsymGraphFusion({"a": 5, "b": 5}, 10, norm="layer").to(device).eval()
    batch = torch.tensor([0, 0, 0, 1, 1, 1], device=device)
    a, b = _randn(6, 5, device=device), _randn(6, 5, device=device)
    out1 = mod({"a": a, "b": b}, batch=batch)
    assert out1["a"].device.type == device.type
    b2 = b.clone()
    b2[3:] += 10.0                       # change sequence 1 only
    out2 = mod({"a": a, "b": b2}, batch=batch)
    assert torch.allclose(out1["a"][:3], out2["a"][:3])
    assert not torch.allclose(out1["a"][3:], out2["a"][3:])


def test_graph_fusion_gradcheck_float64(device):
    torch.manual_seed(0)
    mod = AsymGraphFusion({"a": 4, "b": 3}, 5, shift="edge").double().to(device)
    ei = torch.tensor([[0, 1, 2], [1, 2, 0]], device=device)
    a = _leaf(3, 4, device=device, dtype=torch.float64)
    b = _leaf(3, 3, device=device, dtype=torch.float64)
    assert torch.autograd.gradcheck(
        lambda a, b: tuple(mod({"a": a, "b": b}, edge_index=ei).values()), (a, b),
        fast_mode=True)


@pytest.mark.parametrize("shift", ["temporal", "none"])
def test_graph_fusion_ignores_a_well_formed_graph_it_does_not_read_and_refuses_a_bad_one(shift):
    # The same arguments whatever the shift is a legitimate pattern: a graph
    # the shift does not read changes nothing, but a malformed one is named,
    # not dropped without a word
    torch.manual_seed(0)
    mod = AsymGraphFusion({"a": 4, "b": 5}, 10, shift=shift).eval()
    xs = {"a": torch.randn(6, 4), "b": torch.randn(6, 5)}
    ei = torch.tensor([[0, 1, 2], [1, 2, 3]])
    want = mod(xs)
    got = mod(xs, ei, edge_weight=torch.ones(3))
    assert all(torch.equal(got[s], want[s]) for s in want)
    for bad, weight, match in [
            (torch.zeros(3, 2), None, rf"edge_index must have shape \[2, E\].*shift='{shift}'"),
            (ei.float(), None, "edge_index must be torch.long"),
            (ei, torch.ones(5), r"edge_weight must have one entry per edge \(3\), got 5"),
            (None, torch.ones(3), rf"edge_weight goes with an edge_index.*shift='{shift}'")]:
        with pytest.raises((TypeError, ValueError), match=match):
            mod(xs, bad, edge_weight=weight)
