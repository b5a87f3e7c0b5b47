"""Exact semantics of AsymFusion's channel shuffle and pixel shift, and of
their graph variants, against hand-made tensors and loop references."""
import numpy as np
import pytest
import torch

from pyg_fusion.functional import (channel_shuffle, edge_shift, pixel_shift,
                                   shift_groups, temporal_shift)


def _img(c, h=4, w=5, offset=0.0, device="cpu"):
    # distinct value per (channel, row, col) so every move is visible
    v = torch.arange(c * h * w, dtype=torch.float64, device=device).view(1, c, h, w)
    return v + offset


def test_shift_groups():
    assert shift_groups(10) == 2
    assert shift_groups(64) == 12
    assert shift_groups(4) == 0
    assert [shift_groups(c) for c in range(5, 60, 5)] == list(range(1, 12))
    with pytest.raises(ValueError, match="ratio"):
        shift_groups(10, 0.3)


def test_channel_shuffle_two_modalities_by_hand(device):
    a = torch.arange(10., device=device).view(1, 10)          # channels 0..9
    b = 100 + torch.arange(10., device=device).view(1, 10)    # channels 100..109
    sa, sb = channel_shuffle([a, b])           # g = 2, k = 8
    assert sa.device == sb.device == a.device
    assert sa.tolist() == [[0, 1, 2, 3, 4, 5, 6, 7, 108, 109]]
    assert sb.tolist() == [[100, 101, 102, 103, 104, 105, 106, 107, 8, 9]]


def test_channel_shuffle_asymmetric_and_images(device):
    a, b = _img(15, device=device), _img(15, offset=1000., device=device)
    ab = channel_shuffle([a, b])
    assert ab[0].device == ab[1].device == a.device
    ba = channel_shuffle([b, a])
    # F(a, b) != F(b, a): a's output keeps a's head, b's output keeps b's head
    assert not torch.equal(ab[0], ba[0])
    assert torch.equal(ab[0], ba[1]) and torch.equal(ab[1], ba[0])
    k = 12
    assert torch.equal(ab[0][:, :k], a[:, :k]) and torch.equal(ab[0][:, k:], b[:, k:])
    assert torch.equal(ab[1][:, :k], b[:, :k]) and torch.equal(ab[1][:, k:], a[:, k:])


def test_channel_shuffle_three_modalities_cyclic(device):
    xs = [torch.full((2, 5, 3, 3), float(i), device=device)
          for i in range(3)]                                       # g = 1, k = 4
    out = channel_shuffle(xs)
    assert all(o.device == xs[0].device for o in out)
    for i in range(3):
        assert (out[i][:, :4] == i).all()
        assert (out[i][:, 4:] == (i + 1) % 3).all()
    assert torch.equal(channel_shuffle([xs[0]])[0], xs[0])


def test_channel_shuffle_errors():
    with pytest.raises(TypeError, match="xs"):
        channel_shuffle(torch.zeros(2, 5))
    with pytest.raises(ValueError, match="same shape"):
        channel_shuffle([torch.zeros(1, 5), torch.zeros(1, 6)])
    with pytest.raises(ValueError, match="empty"):
        channel_shuffle([])


def _shift_reference(x, s, g):
    # loop form of docs/methods.md §2.4, written independently of the
    # slicing of the library (in numpy: on the CPU whatever the device of x)
    x = x.cpu().numpy()
    b, c, h, w = x.shape
    out = np.zeros_like(x)
    moves = [(-s, 0), (0, -s), (0, s), (s, 0)]   # source offset (di, dj)
    for q, (di, dj) in enumerate(moves):
        for ch in range(q * g, (q + 1) * g):
            for i in range(h):
                for j in range(w):
                    si, sj = i + di, j + dj
                    if 0 <= si < h and 0 <= sj < w:
                        out[:, ch, i, j] = x[:, ch, si, sj]
    return torch.from_numpy(out)


def test_pixel_shift_directions_by_hand(device):
    x = torch.zeros(1, 5, 3, 3, device=device)   # g = 1: channels 0..3 move, 4 zero
    x[:, :, 1, 1] = 1.0                  # one bright centre pixel everywhere
    out = pixel_shift(x)
    assert out.device == x.device
    assert out[0, 0, 2, 1] == 1 and out[0, 0].sum() == 1     # down
    assert out[0, 1, 1, 2] == 1 and out[0, 1].sum() == 1     # right
    assert out[0, 2, 1, 0] == 1 and out[0, 2].sum() == 1     # left
    assert out[0, 3, 0, 1] == 1 and out[0, 3].sum() == 1     # up
    assert (out[0, 4] == 0).all()


@pytest.mark.parametrize("c,s", [(10, 1), (13, 2), (20, 1), (5, 4)])
def test_pixel_shift_matches_loop_reference(c, s, device):
    x = torch.randn(2, c, 4, 5, dtype=torch.float64)
    ref = _shift_reference(x, s, shift_groups(c))      # on the CPU
    out = pixel_shift(x.to(device), shift=s)
    assert out.device.type == device.type
    assert torch.equal(out.cpu(), ref)


def test_pixel_shift_zero_fill_and_asymmetry(device):
    x = _img(10, device=device) + 1.0    # all entries positive
    out = pixel_shift(x)
    assert (out[:, 0, 0] == 0).all()     # down: first row filled with zeros
    assert (out[:, 4:6, :, -1] == 0).all()  # left (g = 2): last column zero
    assert (out[:, 8:] == 0).all()
    # the exchange of AsymFusion is asymmetric: a + shift(b) != b + shift(a)
    a, b = torch.randn(1, 10, 4, 4).to(device), torch.randn(1, 10, 4, 4).to(device)
    assert not torch.allclose(a + pixel_shift(b), b + pixel_shift(a))


def test_pixel_shift_errors():
    with pytest.raises(ValueError, match="x must have 4"):
        pixel_shift(torch.zeros(3, 5))
    with pytest.raises(ValueError, match="shift"):
        pixel_shift(torch.zeros(1, 5, 2, 2), shift=-1)


def test_gradients_flow(device):
    # drawn on the CPU (the same values on every device), then leaves on device
    a = torch.randn(2, 10, 4, 4, dtype=torch.float64).to(device).requires_grad_()
    b = torch.randn(2, 10, 4, 4, dtype=torch.float64).to(device).requires_grad_()
    assert torch.autograd.gradcheck(
        lambda a, b: tuple(channel_shuffle([a, b])), (a, b))
    assert torch.autograd.gradcheck(lambda a: pixel_shift(a), (a, ))
    sa, sb = channel_shuffle([a, b])
    (sa.sum() + 2 * pixel_shift(sb).sum()).backward()
    assert a.grad.device == a.device and b.grad.device == b.device
    # a's tail reaches only sb; sb is shifted, whose tail channels are zero
    assert (a.grad[:, 8:] == 0).all() and (a.grad[:, :8] == 1).all()
    assert (b.grad[:, 8:] == 1).all()


def test_temporal_shift_by_hand(device):
    x = torch.arange(1., 6., device=device).view(5, 1).repeat(1, 10)   # row t holds t+1
    out = temporal_shift(x)                               # g = 2
    assert out.device == x.device
    assert out[:, 0].tolist() == [0, 1, 2, 3, 4]          # forward in time
    assert out[:, 3].tolist() == [0, 1, 2, 3, 4]
    assert out[:, 4].tolist() == [2, 3, 4, 5, 0]          # backward in time
    assert (out[:, 8:] == 0).all()
    batch = torch.tensor([0, 0, 0, 1, 1], device=device)
    out = temporal_shift(x, batch=batch)
    assert out.device == x.device
    assert out[:, 0].tolist() == [0, 1, 2, 0, 4]          # no crossing
    assert out[:, 4].tolist() == [2, 3, 0, 5, 0]
    with pytest.raises(ValueError, match="batch"):
        temporal_shift(x, batch=torch.zeros(3, dtype=torch.long, device=device))


def test_edge_shift_by_hand_and_gradcheck(device):
    x = torch.tensor([[1.] * 5, [3.] * 5, [10.] * 5], device=device)   # g = 1, k = 4
    ei = torch.tensor([[0, 1, 0], [2, 2, 1]], device=device)          # 0->2, 1->2, 0->1
    out = edge_shift(x, ei)
    assert out.device == x.device
    assert out[:, :4].tolist() == [[0.] * 4, [1.] * 4, [2.] * 4]
    assert (out[:, 4] == 0).all()
    out = edge_shift(x, ei, edge_weight=torch.tensor([3., 1., 1.], device=device))
    assert out[2, 0].item() == pytest.approx((3 * 1 + 1 * 3) / 4)
    xd = torch.randn(3, 5, dtype=torch.float64).to(device).requires_grad_()
    assert torch.autograd.gradcheck(lambda x: edge_shift(x, ei), (xd, ))
    with pytest.raises(ValueError, match="edge_index"):
        edge_shift(x, torch.tensor([[0], [5]], device=device))
