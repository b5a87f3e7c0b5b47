"""resample_segments and StandardizeSources name the argument a wrong
input came in (Python's 'list' has no attribute 'shape' and unnamed unpack
errors before; a [2, d] tensor was read as mean and std)."""
import numpy as np
import pytest
import torch

from pyg_fusion.datasets.segments import resample_segments
from pyg_fusion.datasets.standardize import StandardizeSources


@pytest.mark.parametrize("feat, got", [([[1.0, 2.0], [3.0, 4.0]], r"list \(pass np.asarray"),
                                       (np.float32(3), r"shape \(\)"), ("ab", "str")])
def test_resample_segments_names_feat(feat, got):
    with pytest.raises(TypeError, match=r"feat must be a numpy array \[T, \.\.\.\] of snippet "
                                        r"features, got " + got):
        resample_segments(feat, 1)


def test_resample_segments_takes_arrays_and_tensors():
    x = np.arange(8.0).reshape(4, 2)
    out, seg = resample_segments(x, 2)
    assert np.array_equal(out, [[1, 2], [5, 6]]) and seg.tolist() == [0, 0, 1, 1]
    assert np.array_equal(resample_segments(torch.from_numpy(x), 2)[0], out)


@pytest.mark.parametrize("value, got", [(torch.ones(3), r"a tensor of shape \(3,\)"),
                                        (torch.ones(2, 3), r"a tensor of shape \(2, 3\)"),
                                        ((torch.zeros(3), ), "a tuple of 1 values"),
                                        (3, "int")])
def test_standardize_sources_names_the_pair(value, got):
    with pytest.raises(TypeError, match=r"stats\['a'\] must be a \(mean, std\) pair of \[d\] "
                                        r"tensors, got " + got + r" \(StandardizeSources.fit"):
        StandardizeSources({"a": value})


def test_standardize_sources_needs_a_dict():
    with pytest.raises(TypeError, match=r"stats must be a dict \{source: \(mean, std\)\}, "
                                        r"got list"):
        StandardizeSources([(torch.zeros(3), torch.ones(3))])


def test_standardize_sources_takes_pairs():
    a = StandardizeSources({"a": (np.zeros(2), [1.0, 2.0])})
    b = StandardizeSources({"a": [torch.zeros(2), torch.tensor([1.0, 2.0])]})
    assert torch.equal(a.std_a, b.std_a) and torch.equal(a.mean_a, b.mean_a)
