"""A checkpoint trained on a depth target when it was tiled to 3 channels
(out_channels=3), scored by ``translate evaluate`` on Taskonomy's one-channel
depth, was refused with 'give targets of 3 channels (tile a grey one)', which a
command-line user cannot do: the message says what can be done."""
import numpy as np
import pytest
import torch
from PIL import Image
from torch_geometric.data import Batch, Data

from pyg_fusion.training._translation_inputs import _target

from test_translation_s37_valid_mask import _taskonomy


def _tiled_depth(root, n=4, size=8):
    """A folder whose depth_zbuffer target was saved grey in 3 channels, as
    the scenes' target was read before it kept its one channel."""
    (root / "depth_zbuffer").mkdir(parents=True)
    (root / "rgb").mkdir()
    rng = np.random.default_rng(0)
    for i in range(n):
        z = rng.integers(0, 255, (size, size)).astype(np.uint8)
        Image.fromarray(np.stack([z] * 3, -1)).save(
            root / "depth_zbuffer" / f"point_{i}_view_0_domain_depth_zbuffer.png")
        Image.fromarray(rng.integers(0, 255, (size, size, 3)).astype(np.uint8)).save(
            root / "rgb" / f"point_{i}_view_0_domain_rgb.png")
    return root


def test_an_old_three_channel_depth_checkpoint_is_refused_saying_what_to_do(tmp_path, capsys):
    from pyg_fusion.cli import main

    out = tmp_path / "out"
    flags = ["--modalities", "rgb", "--target", "depth_zbuffer", "--image-size", "8",
             "--no-progress"]
    assert main(["translate", "train", "--data", str(_tiled_depth(tmp_path / "old")),
                 "--num-downs", "3", "--ngf", "4", "--gan-mode", "none", "--epochs", "1",
                 "--batch-size", "2", "--out", str(out), *flags]) == 0
    capsys.readouterr()
    assert main(["translate", "evaluate", "--checkpoint",
                 str(out / "checkpoints" / "last.ckpt"), "--data",
                 str(_taskonomy(tmp_path / "new")), "--out", str(tmp_path / "eval"),
                 "--batch-size", "4", *flags]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "tile a grey one" not in err
    assert "target y is (4, 1, 8, 8), expected (4, 3, 8, 8)" in err
    assert "train a model on them (translate train builds the generator" in err


@pytest.mark.parametrize("have, built", [(1, 3), (3, 1)])
def test_a_module_of_other_target_channels_names_out_channels(have, built):
    batch = Batch.from_data_list([Data(y=torch.rand(1, have, 8, 8))])
    with pytest.raises(ValueError, match=f"in Python, out_channels={have}\\)") as e:
        _target(batch, built, torch.zeros(1, 3, 8, 8))
    assert ("data.y.expand(-1, 3, -1, -1)" in str(e.value)) == (have == 1)
    # another size is only named
    with pytest.raises(ValueError, match=r"expected \(1, 3, 16, 16\) \(the inputs' batch and "
                                         r"size, out_channels=3\)$"):
        _target(Batch.from_data_list([Data(y=torch.rand(1, 3, 8, 8))]), 3,
                torch.zeros(1, 3, 16, 16))


@pytest.mark.parametrize("shape", [(1, 3, 8, 9), (2, 3, 8, 8)])
def test_a_target_of_other_width_or_batch_is_only_named(shape):
    # the channels agree: no advice about channels (the width once compared
    # neither, and a width alone drew 'no option scores it against targets of 3')
    with pytest.raises(ValueError, match=r"\(the inputs' batch and size, out_channels=3\)$"):
        _target(Batch.from_data_list([Data(y=torch.rand(*shape))]), 3,
                torch.zeros(1, 3, 8, 8))
