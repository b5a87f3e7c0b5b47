"""numpy's numbers (a count or a rate read from an array) are taken by the
datasets as by check_int, and stored as Python numbers."""
import json

import numpy as np
import pytest
import torch

from pyg_fusion.datasets import MultiViewTables, SyntheticVAD, VADLayout
from pyg_fusion.datasets.clustered import clustered_features

SOURCES = {"a": "{name}.npy"}


@pytest.mark.parametrize("given, stored", [(np.int64(3), 3), ({"train": np.int32(2)},
                                                               {"train": 2})])
def test_vad_layout_takes_a_numpy_num_abnormal(given, stored):
    layout = VADLayout(sources=SOURCES, labels="position", num_abnormal=given,
                       snippet_len=np.int64(16))
    assert layout.num_abnormal == stored and json.dumps(layout.num_abnormal)
    assert type(layout.abnormal_count("train")) is int and type(layout.snippet_len) is int
    if isinstance(given, dict):
        assert type(given["train"]) is np.int32  # the caller's mapping is not written to


@pytest.mark.parametrize("value", ["3", -1, True, 2.0])
def test_vad_layout_refuses_what_is_no_count(value):
    with pytest.raises(ValueError, match=r"^num_abnormal must be an int >= 0 \(or "):
        VADLayout(sources=SOURCES, num_abnormal=value)
    with pytest.raises((TypeError, ValueError), match="^snippet_len must be "):
        VADLayout(sources=SOURCES, snippet_len=value if value != -1 else 0)


def test_clustered_features_takes_numpy_seeds_and_spreads():
    kw = dict(num_clusters=2, subspace=2)
    ref = clustered_features(20, 3, seed=5, cluster_std=0.25, noise_std=0.5, **kw)
    out = clustered_features(20, 3, seed=np.int64(5), cluster_std=np.float32(0.25),
                             noise_std=np.float16(0.5), **kw)
    assert torch.equal(ref, out)


def test_tables_take_a_numpy_index_col(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.csv").write_text("".join(f"{i},{i * 0.5},{i % 3}\n" for i in range(12)))
    (raw / "y.csv").write_text("".join(f"{i},{i % 2}\n" for i in range(12)))
    ref = MultiViewTables(str(tmp_path), {"a": "a.csv"}, "y.csv", index_col=0, log=False)
    out = MultiViewTables(str(tmp_path), {"a": "a.csv"}, "y.csv", index_col=np.int64(0),
                          log=False)
    assert type(out.options["index_col"]) is int
    assert torch.equal(ref[0].x_a, out[0].x_a) and out[0].x_a.shape == (12, 2)


def test_synthetic_vad_takes_numpy_noise_and_strength(tmp_path):
    kw = dict(num_videos=(4, 4), snippets=(4, 6), log=False)
    ref = SyntheticVAD(str(tmp_path), **kw)
    out = SyntheticVAD(str(tmp_path), noise=np.float64(1.0), strength=np.float32(1.0), **kw)
    assert out.tag == ref.tag and type(out.gen["strength"]) is float
    shifted = SyntheticVAD(str(tmp_path), relational_shift=np.float32(0.5), **kw)
    assert shifted.gen["relational_shift"] == 0.5
