"""log='no' (or 0, or None) was taken as true by the datasets (PyG prints
while processing when log is truthy), where force_reload='no' was refused:
log is checked the same way, before any file is touched."""
import os

import numpy as np
import pytest

from pyg_fusion.datasets import MultiFeatureDigits, RecordingStreamsVAD, SyntheticVAD

KW = dict(num_videos=(2, 2), snippets=(4, 6), num_segments=4)


@pytest.mark.parametrize("make", [
    lambda root, log: SyntheticVAD(root, **KW, log=log),
    lambda root, log: MultiFeatureDigits(root, log=log),
    lambda root, log: RecordingStreamsVAD(root, log=log),
])
@pytest.mark.parametrize("log", ["no", 0, None])
def test_log_must_be_a_bool(tmp_path, make, log):
    with pytest.raises(TypeError, match=rf"log must be True or False, got {log!r}"):
        make(tmp_path, log)
    assert os.listdir(tmp_path) == []


def test_synthetic_translation_names_its_progress(tmp_path):
    from pyg_fusion.datasets import SyntheticTranslation
    with pytest.raises(TypeError, match=r"progress must be True or False, got 'no'"):
        SyntheticTranslation(tmp_path, num_images=2, image_size=8, progress="no")
    assert os.listdir(tmp_path) == []


def test_log_takes_a_numpy_bool(tmp_path):
    data = SyntheticVAD(tmp_path, **KW, log=np.bool_(False))
    assert data.log is False
