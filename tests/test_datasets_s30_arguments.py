"""The arguments every dataset takes from PyG (root, transform, pre_transform,
pre_filter, force_reload) are checked before any file is touched."""
import os

import pytest

from pyg_fusion.datasets import MultiFeatureDigits, SyntheticVAD, VADFeatures

KW = dict(num_videos=(2, 2), snippets=(4, 6), num_segments=4, log=False)


@pytest.mark.parametrize("make", [
    lambda root: SyntheticVAD(root, **KW),
    lambda root: MultiFeatureDigits(root, log=False),
    lambda root: VADFeatures(root, sources={"rgb": "rgb"}, log=False),
])
def test_no_root_is_an_error_not_a_folder_in_the_working_directory(tmp_path, monkeypatch, make):
    # PyG reads root None or "" as its placeholder '???': the dataset made
    # ./???/raw and ./???/processed in the working directory and wrote there
    monkeypatch.chdir(tmp_path)
    for root, error in ((None, TypeError), ("", ValueError), (5, TypeError)):
        with pytest.raises(error, match=rf"root must be a folder path.*, got {root!r}"):
            make(root)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("bad, error", [
    (dict(force_reload="no"), r"force_reload must be True or False, got 'no'"),
    (dict(transform=3), r"transform must be a callable \(a function or a transform\) or None, "
                        r"got 3"),
    (dict(pre_transform="x"), r"pre_transform must be a callable"),
    (dict(pre_filter=1), r"pre_filter must be a callable"),
])
def test_pyg_arguments_are_checked_before_anything_is_generated(tmp_path, bad, error):
    # force_reload="no" generated the data again; a transform that is no
    # callable failed on first access, a pre_transform after the generation
    with pytest.raises(TypeError, match=error):
        SyntheticVAD(tmp_path, **KW, **bad)
    assert os.listdir(tmp_path) == []


def test_a_pre_filter_that_keeps_nothing_says_so(tmp_path):
    with pytest.raises(ValueError, match=r"pre_filter rejected every one of the 2 graphs of the "
                                         r"train split"):
        SyntheticVAD(tmp_path, pre_filter=lambda data: False, **KW)


def test_the_image_datasets_refuse_no_root_too(tmp_path, monkeypatch):
    # str(root) made None the folder ./None: SyntheticRGBD generated its
    # scenes there, RGBDSegmentation read them back
    from pyg_fusion.datasets import RGBDSegmentation, SyntheticRGBD
    monkeypatch.chdir(tmp_path)
    with pytest.raises(TypeError, match="root must be a folder path .*, got None"):
        SyntheticRGBD(None, size=16, num_train=2, num_test=2, progress=False)
    with pytest.raises(TypeError, match="root must be a folder path .*, got None"):
        RGBDSegmentation(None)
    with pytest.raises(ValueError, match="root must be a folder path, got ''"):
        SyntheticRGBD("", size=16, num_train=2, num_test=2, progress=False)
    assert os.listdir(tmp_path) == []


def test_a_pre_transform_that_returns_no_data_is_named(tmp_path):
    # a transform that changed the data in place and returned nothing failed
    # at saving ('NoneType' object has no attribute 'stores_as'); one that
    # returned a plain Data wrote a cache then called damaged, for ever
    from torch_geometric.data import Data

    def in_place(data):
        data.y = data.y + 0

    with pytest.raises(TypeError, match=r"pre_transform must return the transformed "
                                        r"MultiSourceData, got NoneType .*must still return it"):
        SyntheticVAD(tmp_path, pre_transform=in_place, **KW)
    with pytest.raises(TypeError, match=r"MultiSourceData, got Data"):
        SyntheticVAD(tmp_path, pre_transform=lambda d: Data(**d.to_dict()), **KW)
    with pytest.raises(TypeError, match=r"MultiSourceData, got NoneType"):
        MultiFeatureDigits(tmp_path / "digits", pre_transform=in_place, log=False)
