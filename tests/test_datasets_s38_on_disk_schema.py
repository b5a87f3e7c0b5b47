"""to_on_disk_dataset() keyed its default root by the processed file and the
graphs only: a copy of SyntheticTranslation(modalities=["depth"]) and then
one of all modalities (the same processed file) shared one database, and the
second failed with sqlite's "no such column: COL_x_normal"."""
import json

import pytest
import torch

from pyg_fusion.datasets import SyntheticTranslation


def _scenes(root, modalities=None):
    return SyntheticTranslation(str(root), num_images=3, image_size=8, modalities=modalities,
                                progress=False)


def _equal(u, v):
    return torch.equal(u, v) if isinstance(u, torch.Tensor) else u == v


def _same(a, b):
    return len(a) == len(b) and all(
        sorted(x.keys()) == sorted(y.keys()) and all(_equal(x[k], y[k]) for k in x.keys())
        for x, y in zip(a, b))


def test_each_set_of_modalities_gets_its_own_copy(tmp_path):
    depth, full = _scenes(tmp_path, ["depth"]), _scenes(tmp_path)
    for ds in (depth, full, depth):
        assert _same(ds.to_on_disk_dataset(log=False), ds)


def test_a_root_holding_graphs_of_other_attributes_is_refused(tmp_path):
    root = str(tmp_path / "disk")
    depth = _scenes(tmp_path / "d", ["depth"])
    assert _same(depth.to_on_disk_dataset(root, log=False), depth)
    with pytest.raises(ValueError, match="with other attributes.*another root, or delete"):
        _scenes(tmp_path / "d").to_on_disk_dataset(root, log=False)


def test_a_copy_of_unrecorded_attributes_is_refused_saying_so(tmp_path):
    # the stamp of an older version, without the attributes: a default root is
    # another folder now, a root given is refused (not read as these graphs)
    root = tmp_path / "disk"
    full = _scenes(tmp_path / "d")
    full.to_on_disk_dataset(str(root), log=False)
    stamp = root / "pyg_fusion_graphs.json"
    old = json.loads(stamp.read_text())
    del old["schema"]
    stamp.write_text(json.dumps(old))
    with pytest.raises(ValueError, match="of attributes unrecorded .*another root, or delete"):
        full.to_on_disk_dataset(str(root), log=False)
