"""docs/bad_input.md names the refusals of AsymFusion's switches, of
resample_segments / StandardizeSources' inputs and of RelationGraphs' row
counts: each statement is quoted beside the error."""
from pathlib import Path

import numpy as np
import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent


def _said(quote: str) -> None:
    text = " ".join((ROOT / "docs" / "bad_input.md").read_text().split())
    assert quote in text, f"docs/bad_input.md no longer says {quote!r}: update this test"


def test_switches_are_refused_as_the_page_says():
    _said("is an error (\"light must be True or False, got 'False'\"), as are `None` and 0")
    _said("and `fusion=True` with `share=False` (separate encoders exchange nothing")
    from pyg_fusion.nn.asym import RefineNetDecoder
    from pyg_fusion.nn.asym.segmenter import asym_fusion_segmenter
    with pytest.raises(TypeError, match="light must be True or False, got 'False'"):
        RefineNetDecoder((8, 8, 8, 8), 3, features=8, light="False")
    with pytest.raises(ValueError, match="fusion=True with share=False"):
        asym_fusion_segmenter(3, depth=None, layers=(1, 1, 1, 1), width=8, share=False,
                              fusion=True)


def test_segment_inputs_and_stats_are_refused_as_the_page_says():
    _said('"feat must be a numpy array [T, ...] of snippet features, got list (pass '
          'np.asarray(feat))"')
    from pyg_fusion.datasets.segments import resample_segments
    from pyg_fusion.datasets.standardize import StandardizeSources
    with pytest.raises(TypeError, match=r"got list \(pass np.asarray\(feat\)\)"):
        resample_segments([[1., 2.], [3., 4.]], 1)
    with pytest.raises(TypeError, match=r"stats\['a'\] must be a \(mean, std\) pair"):
        StandardizeSources({"a": torch.ones(2, 3)})
    with pytest.raises(TypeError, match="stats must be a dict"):
        StandardizeSources([("a", (torch.zeros(3), torch.ones(3)))])
    assert resample_segments(np.ones((4, 2)), 2)[0].shape == (2, 2)


def test_unequal_rows_are_refused_as_the_page_says():
    _said("(x_a: 5, x_b: 4)\"); a source at a finer level (frames, patches) gives "
          "`assign_<source>`.")
    from pyg_fusion.data import MultiSourceData
    from pyg_fusion.transforms import RelationGraphs
    data = MultiSourceData(x_a=torch.randn(5, 3), x_b=torch.randn(4, 3))
    with pytest.raises(ValueError, match=r"row counts differ \(x_a: 5, x_b: 4\)"):
        RelationGraphs(k=2)(data)
