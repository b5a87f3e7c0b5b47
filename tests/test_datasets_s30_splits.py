"""The split arguments of the one-graph datasets are checked as arguments,
not on a stand-in graph of 10 nodes per class."""
import os

import pytest

from pyg_fusion.datasets import MultiFeatureDigits


def test_a_split_that_fits_the_data_is_not_refused_by_a_stand_in(tmp_path):
    # the arguments were checked by drawing masks on 10 nodes per class,
    # which left none for training: 'class 0 has 10 node(s)' refused a split
    # that 200 digits per class fit
    ds = MultiFeatureDigits(tmp_path, 0.1, val_rate=0.45, test_rate=0.5, log=False)
    data = ds[0]
    assert [int(m.sum()) for m in (data.train_mask, data.val_mask, data.test_mask)] == \
        [10, 900, 1000]


def test_bad_split_arguments_are_refused_before_any_file(tmp_path):
    root = tmp_path / "digits"
    with pytest.raises(ValueError, match=r"val_rate \+ test_rate must be < 1, got 0.6 \+ 0.5"):
        MultiFeatureDigits(root, 0.1, val_rate=0.6, test_rate=0.5, log=False)
    with pytest.raises(TypeError, match="split_seed must be an int, got 1.5"):
        MultiFeatureDigits(root, 0.1, split_seed=1.5, log=False)
    assert not os.path.exists(root)
