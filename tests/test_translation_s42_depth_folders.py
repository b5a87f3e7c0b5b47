"""`translate train` read a folder as Taskonomy depth (16-bit 65535: no depth) by its name
alone (`depth...`): a user whose depth folder is named otherwise (`z`) had its holes
trained as the farthest depth, with no flag to say so. `--depth-folders` (the
`splits` config's `depth_folders`) names them, as `TaskonomyFolder(..., depth=[...])` does
in Python; the module records the inputs so read (`depth_inputs`), which evaluate and
predict then read the same way."""
import json

import pytest
import torch
from translation_folders import depth_scenes

from pyg_fusion.cli import main


def _folder(root, n=4):
    return depth_scenes(root, {"shade": "gray", "rgb": "rgb", "z": "depth", "depth_raw": "depth"},
                        [str(i) for i in range(n)])


def _train(tmp_path, *flags, mods="shade,z"):
    out = tmp_path / "run"
    code = main(["translate", "train", "--data", str(tmp_path / "data"), "--modalities", mods,
                 "--image-size", "16", "--num-downs", "2", "--ngf", "2", "--epochs", "1",
                 "--gan-mode", "none", "--batch-size", "4", "--threads", "1", "--no-progress",
                 "--out", str(out), *flags])
    return code, out


def _depth_inputs(out):
    ckpt = torch.load(out / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=True)
    return ckpt["hyper_parameters"]["depth_inputs"]


def test_depth_folders_names_the_depth_inputs(tmp_path):
    _folder(tmp_path / "data")
    code, out = _train(tmp_path, "--depth-folders", "z")
    assert code == 0
    assert _depth_inputs(out) == ["z"]  # read with its holes, as predict will read it
    config = json.loads((out / "metrics.json").read_text())["config"]
    assert config["splits"]["depth_folders"] == "z"


def test_without_it_the_folders_named_depth_are_read_so(tmp_path):
    _folder(tmp_path / "data")
    code, out = _train(tmp_path, mods="shade,z,depth_raw")
    assert code == 0 and _depth_inputs(out) == ["depth_raw"]


def test_none_reads_no_folder_as_depth(tmp_path):
    _folder(tmp_path / "data")
    code, out = _train(tmp_path, "--depth-folders", "none", mods="shade,depth_raw")
    assert code == 0 and _depth_inputs(out) == []


@pytest.mark.parametrize("value, error", [
    ("q", r"--depth-folders q: must name distinct folders among --modalities and --target "
          r"\['shade', 'z', 'rgb'\]; \['q'\] are not"),
    ("z,z", r"--depth-folders z,z: must name distinct folders"),
    (" , ", r"--depth-folders must name folders, or be 'none'"),
])
def test_a_folder_not_read_is_one_line_before_any_work(tmp_path, capsys, value, error):
    import re
    _folder(tmp_path / "data")
    code, out = _train(tmp_path, "--depth-folders", value)
    err = capsys.readouterr().err
    assert code == 2 and re.search(error, err) and not out.exists()


def test_synthetic_scenes_refuse_it(tmp_path, capsys):
    code = main(["translate", "train", "--depth-folders", "depth", "--out",
                 str(tmp_path / "run"), "--print-config"])
    assert code == 2
    assert "--depth-folders depth: a folder's, not read with --data synthetic" in \
        capsys.readouterr().err


def test_the_validation_folder_is_read_so_too(tmp_path, monkeypatch):
    from pyg_fusion.datasets import translation
    _folder(tmp_path / "data")
    _folder(tmp_path / "val", n=2)
    read, folder = [], translation.TaskonomyFolder

    def kept(root, *args, depth=None, **kwargs):
        read.append((str(root), depth))
        return folder(root, *args, depth=depth, **kwargs)
    monkeypatch.setattr(translation, "TaskonomyFolder", kept)
    code, out = _train(tmp_path, "--depth-folders", "z", "--val-data", str(tmp_path / "val"))
    assert code == 0
    assert read == [(str(tmp_path / "data"), ["z"]), (str(tmp_path / "val"), ["z"])]
