"""to_on_disk_dataset() loaded any database already in its root (PyG's
default root/on_disk, shared by every split and setting of a root): the
test split's copy gave the train split's graphs, a subset's the whole
set's, with no word."""
import pytest
import torch

from pyg_fusion.datasets import SyntheticVAD


def _vad(root, split="train", seed=0):
    return SyntheticVAD(str(root), split, num_videos=(4, 2), snippets=(8, 10), num_segments=4,
                        seed=seed, log=False)


def _same(a, b):
    return len(a) == len(b) and all(torch.equal(x.x_i3d, y.x_i3d) for x, y in zip(a, b))


def test_each_split_setting_and_subset_gets_its_own_copy(tmp_path):
    train, test, other = _vad(tmp_path), _vad(tmp_path, "test"), _vad(tmp_path, seed=1)
    sub = train[[2, 0]]
    for ds in (train, test, other, sub, train):
        assert _same(ds.to_on_disk_dataset(log=False), ds)


def test_a_root_holding_other_graphs_is_refused(tmp_path):
    train, test = _vad(tmp_path / "d"), _vad(tmp_path / "d", "test")
    root = str(tmp_path / "disk")
    assert _same(train.to_on_disk_dataset(root, log=False), train)
    assert _same(train.to_on_disk_dataset(root, log=False), train)  # its own: loaded
    with pytest.raises(ValueError, match="already holds a database"):
        test.to_on_disk_dataset(root, log=False)
    with pytest.raises(ValueError, match="already holds a database"):
        train[:2].to_on_disk_dataset(root, log=False)
