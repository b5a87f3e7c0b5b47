"""What this session's code changes made the docs say, held to the code."""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _page(name: str) -> str:
    return " ".join((ROOT / name).read_text().split())


def test_the_image_models_keep_their_modalities_order_as_the_page_says():
    # 0d049b4: AsymFusionSegmenter / TranslationModule keep the order in the state dict
    said = _page("docs/asymfusion.md")
    assert ("one rebuilt with them in another order (`modalities=(\"depth\", \"rgb\")` for "
            "`(\"rgb\", \"depth\")`) refuses it in `load_state_dict`") in said
    assert "One modality loads under any name" in said
    from pyg_fusion.nn.asym import asym_fusion_segmenter
    kw = dict(num_classes=4, depth=None, layers=[1, 1, 1, 1], width=8, decoder_features=16,
              light=True)
    saved = asym_fusion_segmenter(modalities=("rgb", "depth"), **kw).state_dict()
    with pytest.raises(RuntimeError, match="build it with modalities in the saved order"):
        asym_fusion_segmenter(modalities=("depth", "rgb"), **kw).load_state_dict(saved)
    one = asym_fusion_segmenter(modalities=("x",), **kw).state_dict()
    asym_fusion_segmenter(modalities=("y",), **kw).load_state_dict(one)
