"""A checkpoint saved from Python before the exchange's settings were refused where
nothing is exchanged (a translator of one modality or without fusion levels, a
segmentation variant without exchange, given ratio / shuffle / shift) no longer
loaded: "is not a checkpoint of ...". Its network was built without reading them:
they are dropped with a notice naming them, and the weights load."""
import pytest
import torch

from pyg_fusion import PygFusionNotice
from pyg_fusion._loading import load_lightning
from pyg_fusion.training.segmentation import SegmentationModule
from pyg_fusion.training.translation import TranslationModule

ARCH = dict(depth=None, block="basic", layers=(1, 1, 1, 1), width=8, decoder_features=4,
            light=True)


def _old_checkpoint(module, path, **saved):
    # as the module saved it before: the settings recorded beside the same weights
    torch.save({"state_dict": module.state_dict(),
                "hyper_parameters": {**dict(module.hparams), **saved}}, path)


@pytest.mark.parametrize("kw, saved, off", [
    (dict(modalities=["shade", "depth"], fusion_levels=[]), dict(ratio=0.1, shuffle=False),
     r"fusion_levels=\[\]"),
    (dict(modalities=["shade"]), dict(shift=2, use_shift=False), r"modalities=\['shade'\]"),
    (dict(modalities=["shade", "depth"], num_downs=2), dict(ratio=0.1), "num_downs=2"),
])
def test_old_translation_checkpoint_loads(tmp_path, kw, saved, off):
    kw = {"num_downs": 3, **kw}
    module = TranslationModule(ngf=2, ndf=2, **kw)
    _old_checkpoint(module, tmp_path / "m.ckpt", **saved)
    with pytest.warns(PygFusionNotice, match=rf"{', '.join(f'{k}={v!r}' for k, v in saved.items())}"
                      rf" not read with {off}.*dropped"):
        loaded = load_lightning(TranslationModule, tmp_path / "m.ckpt", task="translate")
    for k, v in module.state_dict().items():
        assert torch.equal(loaded.state_dict()[k], v)
    assert not set(saved) & {k for k, v in loaded.hparams.items() if v != module.hparams[k]}


@pytest.mark.parametrize("variant, saved, off", [
    ("shared", dict(ratio=0.1), "fusion=False"),
    ("separate", dict(shuffle=False, shift=False), "share=False"),
    ("rgb", dict(ratio=0.3), r"modalities=\('rgb',\)"),
])
def test_old_segmentation_checkpoint_loads(tmp_path, variant, saved, off):
    module = SegmentationModule(variant, 3, arch=ARCH)
    _old_checkpoint(module, tmp_path / "m.ckpt", arch={**ARCH, **saved})
    with pytest.warns(PygFusionNotice, match=rf"variant '{variant}'.* not read with {off}"):
        loaded = load_lightning(SegmentationModule, tmp_path / "m.ckpt", task="segment")
    assert loaded.hparams.arch == ARCH
    for k, v in module.state_dict().items():
        assert torch.equal(loaded.state_dict()[k], v)


def test_settings_that_are_read_are_kept_without_a_notice(tmp_path, recwarn):
    module = TranslationModule(["shade", "depth"], ngf=2, ndf=2, num_downs=3, ratio=0.25)
    _old_checkpoint(module, tmp_path / "t.ckpt")
    assert load_lightning(TranslationModule, tmp_path / "t.ckpt").hparams.ratio == 0.25
    seg = SegmentationModule("asymfusion", 3, arch={**ARCH, "ratio": 0.25})
    _old_checkpoint(seg, tmp_path / "s.ckpt")
    assert load_lightning(SegmentationModule, tmp_path / "s.ckpt").hparams.arch["ratio"] == 0.25
    assert not [w for w in recwarn if issubclass(w.category, PygFusionNotice)]
