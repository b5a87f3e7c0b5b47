"""AsymFusion's layers and models in a user's own network and on a user's
own images (session 35): state dicts of models rebuilt with their
modalities in another order, the exchange of narrow layers, and the
functional ops against the paper's definition."""
import pytest
import torch

from pyg_fusion.nn.asym import asym_fusion_segmenter
from pyg_fusion.training.translation import TranslationModule


def _segmenter(modalities):
    return asym_fusion_segmenter(3, depth=None, block="basic", layers=(1, 1, 1, 1), width=8,
                                 decoder_features=8, modalities=modalities)


def _without_order(state):
    return {k: v for k, v in state.items() if not k.endswith("_extra_state")}


@pytest.mark.parametrize("build", [_segmenter,
                                   lambda m: TranslationModule(list(m), [1] * len(m), ngf=4,
                                                             num_downs=3)],
                         ids=["segmenter", "translation"])
def test_a_model_rebuilt_with_its_modalities_in_another_order_refuses_the_state(build, tmp_path):
    # the private norms (and the segmenter's ensemble weights, the critic's
    # condition) go by position: ('depth', 'rgb') loaded a ('rgb', 'depth')
    # state dict, strict, and ran each modality through the other's norms
    torch.manual_seed(0)
    state = build(("rgb", "depth")).state_dict()
    torch.save(state, tmp_path / "m.pt")
    state = torch.load(tmp_path / "m.pt", weights_only=True)
    build(("rgb", "depth")).load_state_dict(state)
    with pytest.raises(RuntimeError, match=r"saved with its sources in the order \['rgb', "
                       r"'depth'\] \(the order of modalities\), this one has \['depth', 'rgb'\]"
                       r".*build it with modalities in the saved order"):
        build(("depth", "rgb")).load_state_dict(state)
    # state dicts saved before the order was kept load, strict, as before
    old = _without_order(state)
    assert len(old) == len(state) - 1
    again = build(("rgb", "depth"))
    again.load_state_dict(old)
    for key, value in _without_order(again.state_dict()).items():
        assert torch.equal(value, old[key]), key
    # one modality: no weight belongs to another, any name loads
    build(("depth", )).load_state_dict(build(("rgb", )).state_dict())


def test_a_shared_decoder_norm_mixes_the_modalities_running_statistics_as_documented():
    # share_decoder_norm=True: one batch norm called once per modality, each
    # normalised by its own batch statistics in training, the running ones (used
    # in evaluation) updated by every modality in turn; the docstring said only
    # 'shares the decoder's norms'
    from pyg_fusion.nn.asym import AsymFusionTranslator
    torch.manual_seed(0)
    net = AsymFusionTranslator(2, ngf=4, num_downs=3, share_decoder_norm=True).train()
    bn = net.up_norm[1].norms
    assert len(bn) == 1 and len(net.down_norm[1].norms) == 2  # the encoder's stay private
    seen = []
    bn[0].register_forward_hook(lambda m, a, out: seen.append(a[0].detach()))
    net([torch.randn(2, 3, 8, 8), 3 + 2 * torch.randn(2, 3, 8, 8)])
    assert int(bn[0].num_batches_tracked) == 2
    mean = torch.zeros_like(bn[0].running_mean)
    for x in seen:  # one momentum update per modality
        mean = 0.9 * mean + 0.1 * x.mean((0, 2, 3))
    torch.testing.assert_close(bn[0].running_mean, mean)
    doc = " ".join(AsymFusionTranslator.__doc__.split())
    assert ("a batch norm normalises each modality by its own batch statistics in training "
            "but, in evaluation, by running statistics that mix all modalities'") in doc


def test_the_width_flags_say_below_which_width_a_stage_exchanges_nothing():
    # a command-line user never sees the docstrings that said it: segment train
    # --width 4 trains 'asymfusion' with no exchange at stage 1
    from pyg_fusion.nn.asym import AsymFusionTranslator, ResNetEncoder
    from pyg_fusion.training._image_configs import SegmentModelConfig, TranslateModelConfig
    from pyg_fusion.functional import shift_groups
    width = SegmentModelConfig.__dataclass_fields__["width"].metadata["help"]
    ngf = TranslateModelConfig.__dataclass_fields__["ngf"].metadata["help"]
    assert "below 5 the first stage's fusion exchanges nothing" in width
    assert "below 3 the fusion at level 1 exchanges nothing" in ngf
    # (the CLI's ratio is the default, 0.2)
    for w in (4, 5):
        planes = ResNetEncoder("basic", (1, 1, 1, 1), width=w).layer1[-1].conv1.out_channels
        assert (shift_groups(planes) == 0) == (w < 5)
    for g in (2, 3):
        assert (shift_groups(AsymFusionTranslator(2, ngf=g, num_downs=3).widths[1]) == 0) \
            == (g < 3)


def test_a_shared_network_names_the_modality_of_another_dtype_or_device():
    # share_across_modalities(net)([rgb, depth.double()]) failed in the shared
    # conv as 'Input type (double) and bias type (float) should be the same'
    from pyg_fusion.nn.asym import share_across_modalities
    net = share_across_modalities(torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3),
                                                      torch.nn.BatchNorm2d(4)), 2)
    x = torch.randn(2, 3, 8, 8)
    with pytest.raises(TypeError, match=r"xs\[1\] is torch.float64 but xs\[0\] is "
                       r"torch.float32"):
        net([x, x.double()])
    with pytest.raises(ValueError, match=r"xs\[1\] is on meta but xs\[0\] on cpu"):
        net([x, x.to("meta")])
    assert [o.shape[-2:] for o in net([x, torch.randn(2, 3, 9, 8)])] == [(6, 6), (7, 6)]


def test_a_segmenter_trained_on_one_small_image_names_the_layer_and_the_remedy():
    # model.train(); model([rgb, depth]) on one 32x32 image failed in torch's
    # BatchNorm, 'Expected more than 1 value per channel when training', naming
    # no layer and no remedy (SegmentationModule's training step named them)
    seg = _segmenter(("rgb", "depth")).train()
    one = [torch.randn(1, 3, 32, 32)] * 2
    with pytest.raises(ValueError, match=r"a batch of 1 image of 32x32 in training mode "
                       r"leaves BatchNorm layer encoder\.layer4\.0\.bn1\.norms\.0 one value "
                       r"per channel \(its input \[1, 64, 1, 1\]\).*batches of >= 2 images.*"
                       r"call model\.eval\(\)"):
        seg(one)
    assert not any(m._forward_pre_hooks for m in seg.modules())  # removed after the error
    assert len(seg([torch.randn(1, 3, 64, 64)] * 2)) == 3
    assert len(seg.eval()(one)) == 3


def test_a_segmenter_checks_its_inputs_channels_by_what_the_encoder_states():
    # the channels were read off the first Conv2d among the encoder's modules: a
    # user's encoder registering another conv first was refused its valid input,
    # one without a Conv2d raised a bare StopIteration, and SeparateEncoders with
    # a 1-channel depth branch refused depth ('the encoder takes 3')
    from torch import nn
    from pyg_fusion.nn.asym import (AsymFusionSegmenter, RefineNetDecoder, ResNetEncoder,
                                    SeparateEncoders)

    class Own(nn.Module):
        num_modalities = 2

        def __init__(self, conv_first):
            super().__init__()
            if conv_first:
                self.side = nn.Conv2d(4, 4, 1)  # registered before the stem
            self.stem = nn.Parameter(torch.ones(4, 3))

        def forward(self, xs):
            h = [torch.einsum("oc,bchw->bohw", self.stem, x) for x in xs]
            h = [self.side(t) for t in h] if hasattr(self, "side") else h
            return [[nn.functional.avg_pool2d(t, 2 ** (s + 2)) for t in h] for s in range(4)]

    def decoder(widths):
        return RefineNetDecoder(widths, 3, features=8, light=True)
    xs = [torch.randn(2, 3, 32, 32)] * 2
    for conv_first in (True, False):
        seg = AsymFusionSegmenter(Own(conv_first), decoder([4] * 4)).eval()
        assert len(seg(xs)) == 3
    sep = SeparateEncoders([ResNetEncoder("basic", (1, 1, 1, 1), 1, width=8),
                            ResNetEncoder("basic", (1, 1, 1, 1), 1, width=8, in_channels=1)])
    seg = AsymFusionSegmenter(sep, decoder(sep.out_channels)).eval()
    assert len(seg([xs[0], torch.randn(2, 1, 32, 32)])) == 3
    with pytest.raises(ValueError, match="input 'depth' has 3 channels, the encoder takes 1"):
        seg(xs)
    with pytest.raises(ValueError, match=r"input 'depth' has 1 channel, the encoder takes 3 "
                       r"\(e.g. a depth map tiled"):
        _segmenter(("rgb", "depth")).eval()([xs[0], torch.randn(2, 1, 32, 32)])


def test_scores_of_a_matrix_that_counts_the_ignored_class_are_refused():
    # segmentation_scores(cm, ignore_index=0) on a user's matrix that kept the
    # void pixels (row 0) counted them in the pixel accuracy as labelled, and a
    # matrix of void pixels alone scored NaN means, silently
    from pyg_fusion.training.segmentation import segmentation_scores
    with pytest.raises(ValueError, match=r"confmat holds 6 pixels labelled ignore_index=0 "
                       r"\(row 0\): unlabelled pixels are out of the matrix"):
        segmentation_scores(torch.tensor([[5, 1], [2, 3]]), ignore_index=0)
    with pytest.raises(ValueError, match="confmat holds 5 pixels labelled ignore_index=0"):
        segmentation_scores(torch.tensor([[5, 0], [0, 0]]), ignore_index=0)
    cm = torch.tensor([[0, 0], [2, 3]])  # predicting void on a labelled pixel: an error
    assert segmentation_scores(cm, ignore_index=0) == {"pixel_acc": 0.6, "mean_acc": 0.6,
                                                       "miou": 0.6}
    assert segmentation_scores(torch.tensor([[5, 1], [2, 3]]), ignore_index=255)[
        "pixel_acc"] == 8 / 11


def test_a_backbone_shared_across_modalities_is_a_segmenters_encoder():
    # share_across_modalities(backbone) returns one list of levels per modality,
    # the segmenter reads levels of M maps: it failed as 'feats must hold 4
    # levels, got 2' (the decoder's argument), and with as many modalities as
    # levels each branch would have decoded one level of every modality
    from torch import nn
    from pyg_fusion.nn.asym import (AsymFusionSegmenter, RefineNetDecoder,
                                    share_across_modalities)

    class Backbone(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem, self.bn = nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4)

        def forward(self, x):
            h = torch.relu(self.bn(self.stem(x)))
            return [nn.functional.avg_pool2d(h, 2 ** (s + 2)) for s in range(4)]
    torch.manual_seed(0)
    for m in (2, 4):
        enc = share_across_modalities(Backbone(), m)
        seg = AsymFusionSegmenter(enc, RefineNetDecoder([4] * 4, 3, features=8, light=True),
                                  [f"m{i}" for i in range(m)]).eval()
        xs = [torch.randn(2, 3, 32, 32) for _ in range(m)]
        outs = seg(xs)
        with enc.modality(m - 1) as backbone:
            alone = seg.decoder(backbone(xs[-1]))
        torch.testing.assert_close(outs[m - 1], nn.functional.interpolate(
            alone, size=(32, 32), mode="bilinear", align_corners=False))
    seg = AsymFusionSegmenter(share_across_modalities(nn.Conv2d(3, 4, 3), 2),
                              RefineNetDecoder([4] * 4, 3, features=8, light=True)).eval()
    with pytest.raises(ValueError, match="encoder is a SharedModalityNetwork: its network must "
                       r"return a list \(or a dict, in its order\) of feature levels"):
        seg([torch.randn(2, 3, 32, 32)] * 2)


def test_a_segmentation_module_refuses_modalities_its_variant_does_not_read():
    # SegmentationModule(arch={'modalities': ('depth', 'rgb')}) fed each batch's
    # [rgb, depth] to a network that named them the other way: the RGB branch
    # was scored and logged as 'depth', silently
    from pyg_fusion.training.segmentation import SegmentationModule
    arch = {"depth": None, "block": "basic", "layers": [1, 1, 1, 1], "width": 8,
            "decoder_features": 8}
    with pytest.raises(ValueError, match=r"arch modalities=\('depth', 'rgb'\): variant "
                       r"'asymfusion' reads \['rgb', 'depth'\] of each batch, in that order"):
        SegmentationModule("asymfusion", 3, arch={**arch, "modalities": ("depth", "rgb")})
    with pytest.raises(ValueError, match=r"arch modalities=\('rgb',\): variant 'shared'"):
        SegmentationModule("shared", 3, arch={**arch, "modalities": ("rgb", )})
    module = SegmentationModule("asymfusion", 3, arch={**arch, "modalities": ["rgb", "depth"]})
    assert module.output_names == ["rgb", "depth", "ensemble"]


def test_an_average_of_checkpoints_cast_to_float_loads():
    # a model soup averages every tensor of the state dicts in float: the
    # modalities' order, kept as a tensor of bytes since 0d049b4, failed
    # load_state_dict with "'float' object cannot be interpreted as an integer"
    states = []
    for seed in range(2):
        torch.manual_seed(seed)
        states.append(_segmenter(("rgb", "depth")).state_dict())
    soup = {k: torch.stack([s[k].float() for s in states]).mean(0) for k in states[0]}
    model = _segmenter(("rgb", "depth"))
    model.load_state_dict(soup)
    assert torch.equal(model.alpha, soup["alpha"])
    with pytest.raises(RuntimeError, match=r"in the order \['rgb', 'depth'\]"):
        _segmenter(("depth", "rgb")).load_state_dict(soup)
