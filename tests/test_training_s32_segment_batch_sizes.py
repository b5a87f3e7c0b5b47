"""A batch of scenes whose images or mask disagree in size, or whose depth
early-concat cannot stack: named by key before torch.cat or torchmetrics
(which named none), in training, scoring and predicting alike."""
import re

import pytest
import torch

ARCH = dict(depth=None, block="bottleneck", layers=[1, 1, 1, 1], width=8, decoder_features=8)


def _batch(rgb=(2, 3, 16, 16), depth=(2, 3, 16, 16), mask=(2, 16, 16)):
    g = torch.Generator().manual_seed(0)
    return {"rgb": torch.rand(rgb, generator=g), "depth": torch.rand(depth, generator=g),
            "mask": torch.randint(0, 5, mask, generator=g)}


def _steps(module):
    return (lambda b: module.training_step(b, 0), lambda b: module.validation_step(b, 0),
            lambda b: module.predict_step(b, 0))


@pytest.mark.parametrize("variant", ["early-concat", "asymfusion"])
def test_images_of_two_sizes_are_named(variant):
    from pyg_fusion.training.segmentation import SegmentationModule
    module = SegmentationModule(variant, 5, ARCH)
    batch = _batch(depth=(2, 3, 16, 12))
    for step in _steps(module):
        with pytest.raises(ValueError, match=re.escape(
                "a batch's depth is (2, 3, 16, 12) but its rgb is (2, 3, 16, 16): the "
                "modalities must share the batch size and the image size")):
            step(batch)


def test_a_mask_of_another_size_is_named():
    from pyg_fusion.training.segmentation import SegmentationModule
    module = SegmentationModule("asymfusion", 5, ARCH)
    batch = _batch(mask=(2, 16, 12))
    for step in _steps(module)[:2]:  # predicting reads no mask
        with pytest.raises(ValueError, match=re.escape(
                "a batch's mask is (2, 16, 12), its rgb (2, 3, 16, 16): give one label map "
                "per image, [B, H, W] = (2, 16, 16)")):
            step(batch)


def test_early_concat_of_a_one_channel_depth_says_tile_it_to_3():
    from pyg_fusion.training.segmentation import SegmentationModule
    module = SegmentationModule("early-concat", 5, ARCH)
    with pytest.raises(ValueError, match=re.escape(
            "early-concat stacks rgb and depth of 3 channels each (6), got a batch's rgb of 3 "
            "channels and depth of 1 channel (a 1-channel depth: tile it, "
            "depth.expand(-1, 3, -1, -1)")):
        module(_batch(depth=(2, 1, 16, 16)))


def test_the_segmenter_advises_tiling_for_one_channel_inputs_only():
    from pyg_fusion.nn.asym import asym_fusion_segmenter
    net = asym_fusion_segmenter(5, **ARCH, in_channels=6, modalities=["rgbd"])
    with pytest.raises(ValueError, match=r"^input 'rgbd' has 4 channels, the encoder takes 6$"):
        net([torch.rand(2, 4, 16, 16)])
    with pytest.raises(ValueError, match=re.escape(
            "input 'rgbd' has 1 channel, the encoder takes 6 (e.g. a depth map tiled: "
            "depth.expand(-1, 6, -1, -1))")):
        net([torch.rand(2, 1, 16, 16)])


def test_batches_of_one_size_run_as_before():
    from pyg_fusion.training.segmentation import SegmentationModule
    module = SegmentationModule("early-concat", 5, ARCH).eval()
    batch = _batch()
    with torch.no_grad():
        got = module(batch)[0]
        want = module.model([torch.cat([batch["rgb"], batch["depth"]], 1)])[0]
    assert torch.equal(got, want)


@pytest.mark.parametrize("variant, arch, sets", [
    ("shared", dict(fusion=True), "fusion=False"),
    ("early-concat", dict(in_channels=3), "in_channels=6"),
    ("separate", dict(share=True), "share=False"),
    ("rgb", dict(modalities=("rgb", "depth")), "modalities=('rgb',)"),
])
def test_arch_keys_that_the_variant_sets_otherwise_are_refused(variant, arch, sets):
    # the variant's options replaced them without a word: 'shared' with
    # fusion=True trained a network without the exchange
    from pyg_fusion.training.segmentation import SegmentationModule
    from pyg_fusion.training.variants import VARIANTS
    (key, value), = arch.items()
    said = (f"sets {sets} (its row of the ablation)" if key != "modalities" else  # (4f3b23f)
            f"reads {list(VARIANTS[variant][1][key])} of each batch, in that order")
    with pytest.raises(ValueError, match=re.escape(
            f"arch {key}={value!r}: variant {variant!r} {said}") + ".*" + re.escape(
            f"leave {key} out of arch")):
        SegmentationModule(variant, 5, {**ARCH, **arch})
    # the variant's own value, given or not, builds as before
    same = {key: VARIANTS[variant][1][key]}
    assert repr(SegmentationModule(variant, 5, {**ARCH, **same}).model) == \
        repr(SegmentationModule(variant, 5, ARCH).model)
