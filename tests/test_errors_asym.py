"""Bad inputs to pyg_fusion.nn.asym (AsymFusion's blocks, norms, graph
fusion and segmenter): each gives a clear error naming the argument (or a
defined, checked behaviour); see tests/bad_inputs.py."""
import torch
from torch import nn

from bad_inputs import Case, Defined, case_tests
from pyg_fusion.nn.asym import (AsymFusionBasicBlock, AsymFusionBottleneck, AsymGraphFusion,
                                ModalityBatchNorm2d, ModalityNorm2d, PatchGANDiscriminator,
                                asym_segmentation_loss)
from test_errors_nn import XA, XB, UNSORTED, IMG, nan


def _blocks_narrow_stage_exchange_nothing():
    torch.manual_seed(0)
    blk = AsymFusionBasicBlock(4, 4, 2, fusion=True).eval()
    ref = AsymFusionBasicBlock(4, 4, 2, fusion=False).eval()
    ref.load_state_dict(blk.state_dict())
    xs = [torch.randn(1, 4, 4, 4), torch.randn(1, 4, 4, 4)]
    for a, b in zip(blk(xs), ref(xs)):
        assert torch.equal(a, b)


def _segmenter(**kw):
    from pyg_fusion.nn.asym import asym_fusion_segmenter
    torch.manual_seed(0)
    return asym_fusion_segmenter(3, depth=None, layers=(1, 1, 1, 1), width=8,
                                 decoder_features=8, light=True, **kw)


def _segmenter_reset_reaches_separate_encoders():
    model = _segmenter(share=False)
    with torch.no_grad():
        for p in model.parameters():
            p.fill_(0.123)
    model.reset_parameters()
    assert not any(bool((p == 0.123).all()) for p in model.encoder.parameters())


def _segmentation_loss_all_ignored_is_zero():
    from pyg_fusion.nn.asym import asym_segmentation_loss
    out = torch.randn(1, 3, 4, 4, requires_grad=True)
    loss = asym_segmentation_loss([out], torch.full((1, 4, 4), 255))
    loss.backward()
    assert float(loss.detach()) == 0.0 and bool((out.grad == 0).all())


def _shared_batchnorm_keeps_its_options():
    from pyg_fusion.nn.asym import share_across_modalities
    for kw in (dict(momentum=None), dict(affine=False), dict(track_running_stats=False)):
        bn = nn.BatchNorm2d(4, eps=1e-3, **kw)
        net = share_across_modalities(nn.Sequential(bn), 2)
        x = torch.randn(3, 4, 2, 2)
        ref = nn.BatchNorm2d(4, eps=1e-3, **kw)
        want = ref(ref(x))  # two training steps, as the model's below
        got = net(net([x, x]))[0]
        assert torch.allclose(got, want, atol=1e-6), kw
        if ref.running_mean is not None:
            private = [m for m in net.modules() if isinstance(m, nn.BatchNorm2d)][0]
            assert torch.allclose(private.running_mean, ref.running_mean), kw


def catalogue():
    return [
        # AsymFusion blocks and norms
        Case("PatchGAN image smaller than its patches",
             lambda: PatchGANDiscriminator(4, 4, num_layers=2)(torch.randn(2, 4, 8, 16)),
             ValueError, r"x height and width must be >= 12 \(3 \* 2\*\*num_layers, "
             r"num_layers=2\), got \(8, 16\)"),
        Case("Bottleneck width", lambda: AsymFusionBottleneck(32, 8, 2, fusion=True)([IMG, IMG]),
             ValueError, r"xs\[0\] has 16 channels .* inplanes = 32"),
        Case("Bottleneck 3-D input", lambda: AsymFusionBottleneck(16, 4, 2)([IMG[0], IMG[0]]),
             ValueError, r"xs\[0\] must have 4 dimensions"),
        Case("Bottleneck modality count", lambda: AsymFusionBottleneck(16, 4, 2)([IMG]),
             ValueError, r"expected 2 modality tensors, got 1"),
        Case("Bottleneck a tensor", lambda: AsymFusionBottleneck(16, 4, 2)(IMG),
             TypeError, r"xs must be a list of per-modality tensors"),
        Case("BasicBlock width", lambda: AsymFusionBasicBlock(8, 8, 2)([IMG, IMG]),
             ValueError, r"xs\[0\] has 16 channels .* inplanes = 8"),
        Case("Bottleneck integer input",
             lambda: AsymFusionBottleneck(16, 4, 2)([IMG.long(), IMG.long()]),
             TypeError, r"xs\[0\] must be a floating-point tensor"),
        Case("ModalityBatchNorm2d width", lambda: ModalityBatchNorm2d(8, 2)([IMG, IMG]),
             ValueError, r"xs\[0\] has 16 channels .* num_features = 8"),
        Case("ModalityBatchNorm2d single tensor width", lambda: ModalityBatchNorm2d(8, 2)(IMG),
             ValueError, r"x has 16 channels .* num_features = 8"),
        Case("ModalityBatchNorm2d modality count", lambda: ModalityBatchNorm2d(16, 2)([IMG]),
             ValueError, r"expected 2 modality tensors, got 1"),
        Case("ModalityNorm2d width", lambda: ModalityNorm2d(8, 2)([IMG, IMG]),
             ValueError, r"xs\[0\] has 16 channels .* num_features = 8"),
        # "meta": a second device on any machine (CUDA and CPU tensors read alike)
        Case("asym_segmentation_loss target device",
             lambda: asym_segmentation_loss(
                 [IMG[:, :3]], torch.zeros(1, 4, 4, dtype=torch.long, device="meta")),
             ValueError, r"target is on meta but outputs\[0\] on cpu"),
        Case("AsymGraphFusion NaN", lambda: AsymGraphFusion({"a": 3, "b": 5}, 10)(
            {"a": nan(XA), "b": XB}), ValueError, r"xs\['a'\] contains 1 NaN or Inf"),
        Case("AsymGraphFusion Inf", lambda: AsymGraphFusion({"a": 3, "b": 5}, 10)(
            {"a": XA, "b": XB / torch.zeros(1)}), ValueError, r"xs\['b'\] contains"),
        Case("AsymGraphFusion width", lambda: AsymGraphFusion({"a": 4, "b": 5}, 10)(
            {"a": XA, "b": XB}), ValueError, r"xs\['a'\] must have 4 features, got 3"),
        Case("AsymGraphFusion unaligned", lambda: AsymGraphFusion({"a": 3, "b": 5}, 10)(
            {"a": XA, "b": XB[:4]}), ValueError, r"sources must be aligned"),
        Case("AsymGraphFusion batch unsorted", lambda: AsymGraphFusion({"a": 3, "b": 5}, 10)(
            {"a": XA, "b": XB}, batch=UNSORTED), ValueError, r"batch must be sorted"),
        Case("AsymGraphFusion edge shift without edge_index",
             lambda: AsymGraphFusion({"a": 3, "b": 5}, 10, shift="edge")({"a": XA, "b": XB}),
             ValueError, r"shift='edge' needs edge_index"),
        Case("AsymGraphFusion channels", lambda: AsymGraphFusion({"a": 3}, 4),
             ValueError, r"channels must be >= 5"),
        Case("AsymGraphFusion integer input", lambda: AsymGraphFusion({"a": 3, "b": 5}, 10)(
            {"a": XA.long(), "b": XB}), TypeError, r"xs\['a'\] must be a floating-point"),
        Defined("segmenter reset reaches separate encoders",
                _segmenter_reset_reaches_separate_encoders),
        Defined("segmentation loss of an all-ignored target is 0",
                _segmentation_loss_all_ignored_is_zero),
        Defined("shared BatchNorm keeps momentum=None, affine, tracking",
                _shared_batchnorm_keeps_its_options),
        Case("segmenter NaN input named", lambda: _segmenter(shuffle=False)(
            [nan(torch.randn(1, 3, 8, 8)), torch.randn(1, 3, 8, 8)]),
             ValueError, r"input 'rgb' contains 1 NaN or Inf"),
        Case("segmenter input of another dtype", lambda: _segmenter()(
            [torch.randn(1, 3, 8, 8), torch.randn(1, 3, 8, 8, dtype=torch.float64)]),
             TypeError, r"input 'depth' is torch.float64 on cpu but the model's parameters"),
        Case("AsymGraphFusion input of another dtype",
             lambda: AsymGraphFusion({"a": 3, "b": 5}, 10)({"a": XA, "b": XB.double()}),
             TypeError, r"xs\['b'\] is torch.float64 on cpu but the model's parameters"),
        Case("Bottleneck shift_pixels negative",
             lambda: AsymFusionBottleneck(16, 4, 2, shift_pixels=-1),
             ValueError, r"shift_pixels must be >= 0"),
        Case("Bottleneck ratio above 0.25", lambda: AsymFusionBottleneck(16, 4, 2, ratio=0.9),
             ValueError, r"ratio must lie in \[0, 0.25\]"),
        Defined("AsymFusion block too narrow for a group exchanges nothing",
                _blocks_narrow_stage_exchange_nothing),
    ]


CASES = catalogue()
test_clear_error, test_defined_behaviour = case_tests(CASES)
