"""Bad inputs to the AsymFusion exchanges of pyg_fusion.functional
(channel_shuffle, pixel_shift, temporal_shift, edge_shift): each gives a
clear error naming the argument (or a defined, checked behaviour); see
tests/bad_inputs.py."""
import torch

import pyg_fusion.functional as F
from bad_inputs import Case, Defined, case_tests
from test_errors_functional import X, B, UNSORTED, NEG, EI, EW, nan


def _shuffle_small_keeps_own():
    a, b = torch.randn(3, 4), torch.randn(3, 4)
    out = F.channel_shuffle([a, b])
    assert torch.equal(out[0], a) and torch.equal(out[1], b)


def _shuffle_ratio0_keeps_own():
    a, b = torch.randn(3, 10), torch.randn(3, 10)
    out = F.channel_shuffle([a, b], ratio=0.0)
    assert torch.equal(out[0], a) and torch.equal(out[1], b)


def _shifts_small_move_nothing():
    x = torch.randn(5, 4)
    assert torch.equal(F.temporal_shift(x), torch.zeros_like(x))
    assert torch.equal(F.edge_shift(x, EI), torch.zeros_like(x))
    assert torch.equal(F.pixel_shift(torch.randn(1, 4, 3, 3)), torch.zeros(1, 4, 3, 3))


def _exchanges_pass_nan_through():
    # one rule for the four (the models check their inputs once): channel_shuffle
    # and edge_shift refused NaN, pixel_shift and temporal_shift passed it
    x = torch.zeros(4, 5)
    x[0, 0], x[1, 4] = float("nan"), float("inf")
    own, other = F.channel_shuffle([x, torch.ones(4, 5)])
    assert own[0, 0].isnan() and other[1, 4].isinf() and own[1, 4] == 1
    assert F.temporal_shift(x)[1, 0].isnan()
    assert F.edge_shift(x, torch.tensor([[0], [2]]))[2, 0].isnan()
    assert F.pixel_shift(x.view(1, 5, 2, 2)).isnan().any()


def _shuffle_quarter_of_a_multiple_of_4_keeps_own():
    # ratio=0.25, C % 4 == 0: k = 4 g = C, nothing left to exchange (documented)
    a, b = torch.randn(3, 8), torch.randn(3, 8)
    out = F.channel_shuffle([a, b], ratio=0.25)
    assert torch.equal(out[0], a) and torch.equal(out[1], b)
    out = F.channel_shuffle([a[:, :7], b[:, :7]], ratio=0.25)  # g = 1: 3 channels move
    assert torch.equal(out[0], torch.cat([a[:, :4], b[:, 4:7]], 1))


def catalogue():
    x64 = X.double()
    return [
        # AsymFusion exchanges
        Defined("the four exchanges pass NaN / Inf through", _exchanges_pass_nan_through),
        Case("channel_shuffle dtype mix", lambda: F.channel_shuffle([X, x64]),
             TypeError, r"xs\[1\] is torch.float64 but xs\[0\] is torch.float32"),
        Case("channel_shuffle shapes", lambda: F.channel_shuffle([X, X[:, :3]]),
             ValueError, r"all tensors of xs must have the same shape"),
        Case("channel_shuffle a tensor", lambda: F.channel_shuffle(X),
             TypeError, r"xs must be a list of per-modality tensors"),
        Case("channel_shuffle ratio", lambda: F.channel_shuffle([X, X], ratio=0.3),
             ValueError, r"ratio must lie in \[0, 0.25\]"),
        Case("channel_shuffle 1-D", lambda: F.channel_shuffle([X[0], X[0]]),
             ValueError, r"xs\[0\] must have shape \[B, C, \.\.\.\]"),
        Case("temporal_shift batch unsorted", lambda: F.temporal_shift(X, batch=UNSORTED),
             ValueError, r"batch must be sorted"),
        Case("temporal_shift batch float", lambda: F.temporal_shift(X, batch=B.float()),
             TypeError, r"batch must be torch.long"),
        Case("temporal_shift batch negative", lambda: F.temporal_shift(X, batch=NEG),
             ValueError, r"batch holds negative graph ids"),
        Case("temporal_shift batch length", lambda: F.temporal_shift(X, batch=B[:4]),
             ValueError, r"batch must have one entry per row of x \(6\)"),
        Case("temporal_shift shift", lambda: F.temporal_shift(X, shift=-1),
             ValueError, r"shift must be >= 0"),
        Case("temporal_shift x 3-D", lambda: F.temporal_shift(X.view(1, 6, 4)),
             ValueError, r"x must have 2 dimensions"),
        Case("edge_shift x int", lambda: F.edge_shift(X.long(), EI),
             TypeError, r"x must be a floating-point tensor, got torch.int64"),
        Case("edge_shift edge_index out of range", lambda: F.edge_shift(X[:4], EI),
             ValueError, r"edge_index holds node indices outside \[0, 4\)"),
        Case("edge_shift edge_weight negative", lambda: F.edge_shift(X[:5], EI, edge_weight=-EW),
             ValueError, r"edge_weight must be non-negative"),
        Case("edge_shift edge_weight NaN", lambda: F.edge_shift(X[:5], EI, edge_weight=nan(EW)),
             ValueError, r"edge_weight contains"),
        Case("edge_shift edge_weight length",
             lambda: F.edge_shift(X[:5], EI, edge_weight=EW[:2]),
             ValueError, r"edge_weight must have one entry per edge \(4\)"),
        Case("pixel_shift x 3-D", lambda: F.pixel_shift(torch.zeros(5, 3, 3)),
             ValueError, r"x must have 4 dimensions"),
        Case("pixel_shift shift", lambda: F.pixel_shift(torch.zeros(1, 5, 3, 3), shift=-1),
             ValueError, r"shift must be >= 0"),
        Defined("channel_shuffle C = 4 keeps each modality", _shuffle_small_keeps_own),
        Defined("channel_shuffle ratio 0.25 of C = 8 keeps each modality",
                _shuffle_quarter_of_a_multiple_of_4_keeps_own),
        Defined("channel_shuffle ratio 0 keeps each modality", _shuffle_ratio0_keeps_own),
        Defined("shifts with g = 0 move nothing", _shifts_small_move_nothing),
    ]


CASES = catalogue()
test_clear_error, test_defined_behaviour = case_tests(CASES)
