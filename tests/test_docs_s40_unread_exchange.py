"""docs/bad_input.md lists AsymFusion's refusals of contradictory options; the
refusal of the exchange's settings where nothing is exchanged was not among
them."""
import os.path as osp

import pytest

from pyg_fusion.nn.asym import AsymFusionTranslator, ResNetEncoder, asym_fusion_segmenter

DOC = osp.join(osp.dirname(__file__), "..", "docs", "bad_input.md")


def test_bad_input_lists_the_unread_exchange_settings():
    with open(DOC, encoding="utf-8") as f:
        text = " ".join(f.read().split())
    assert ("given other than their defaults where nothing is exchanged (`share=False`, "
            "`fusion=False`, one modality, the translator's `fusion_levels=[]`) are an error "
            "naming the setting and what turns the exchange off") in text
    small = dict(block="basic", layers=(1, 1, 1, 1), width=8)
    for build, off in ((lambda: ResNetEncoder(**small, fusion=False, shift_pixels=2),
                        "fusion=False"),
                       (lambda: asym_fusion_segmenter(3, depth=None, **small, share=False,
                                                      ratio=0.1), "share=False"),
                       (lambda: AsymFusionTranslator(in_channels=1, ngf=4, num_downs=3,
                                                     fusion_levels=[], use_shift=False),
                        r"fusion_levels=\[\]")):
        with pytest.raises(ValueError, match=f"not read with {off}"):
            build()
