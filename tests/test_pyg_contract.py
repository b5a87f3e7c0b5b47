"""The PyG data contract as a PyG user relies on it: batching and splitting
multi-source graphs, the datasets' indexing, caches and attributes, and the
transforms."""
import torch

from pyg_fusion.datasets import MultiFeatureDigits, SyntheticVAD

VAD = dict(num_videos=(4, 4), snippets=(4, 8), num_segments=None, log=False)


def _double_mor(data):
    data.x_mor = data.x_mor * 2
    return data


def _zero_mor(data):
    data.x_mor = data.x_mor * 0
    return data


def _scale(c):
    def scale(data):
        data.x_mor = data.x_mor * c
        return data
    return scale


def test_another_pre_transform_function_is_another_cache(tmp_path):
    # PyG prints every function as "<function>": the cache of one was loaded for another
    raw = MultiFeatureDigits(str(tmp_path), views=["mor"], log=False)[0].x_mor
    for pre, want in ((_double_mor, 2 * raw), (_zero_mor, 0 * raw), (_scale(3), 3 * raw),
                      (_scale(5), 5 * raw), (lambda d: d, raw)):
        ds = MultiFeatureDigits(str(tmp_path), views=["mor"], pre_transform=pre, log=False)
        torch.testing.assert_close(ds[0].x_mor, want)


def _abnormal(data):
    return int(data.y) == 1


def _normal(data):
    return int(data.y) == 0


def test_another_pre_filter_function_is_another_cache(tmp_path):
    kept = [[int(d.y) for d in SyntheticVAD(str(tmp_path), "test", pre_filter=f, **VAD)]
            for f in (_abnormal, _normal)]
    assert kept == [[1, 1], [0, 0]]
