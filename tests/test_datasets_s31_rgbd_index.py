"""RGBDSegmentation (a torch Dataset of scenes) indexed by a slice or a list
failed with "'<=' not supported between instances of 'int' and 'slice'": it
names the index type and the way to take several scenes (Subset); numpy and
0-d tensor integers index one scene as an int does."""
import numpy as np
import pytest
import torch

from pyg_fusion.datasets import SyntheticRGBD


@pytest.fixture(scope="module")
def scenes(tmp_path_factory):
    return SyntheticRGBD(str(tmp_path_factory.mktemp("rgbd")), size=16, num_train=3,
                         num_test=3, split="test", progress=False)


@pytest.mark.parametrize("index, shown", [
    (slice(0, 2), r"slice slice\(0, 2, None\)"), ([0, 1], r"list \[0, 1\]"),
    (1.0, "float 1.0"), (torch.tensor([0, 1]), "Tensor tensor"),
])
def test_an_index_of_several_scenes_is_named(scenes, index, shown):
    with pytest.raises(TypeError, match=rf"SyntheticRGBD is indexed by one integer \(a scene\), "
                                        rf"got {shown}.*torch.utils.data.Subset"):
        scenes[index]


def test_integer_types_index_one_scene(scenes):
    want = scenes[2]
    for index in (np.int64(2), torch.tensor(2), -1):
        item = scenes[index]
        assert item["index"] == 2 and type(item["index"]) is int
        assert torch.equal(item["mask"], want["mask"])
    subset = torch.utils.data.Subset(scenes, [0, 2])
    assert torch.equal(subset[1]["rgb"], want["rgb"])
