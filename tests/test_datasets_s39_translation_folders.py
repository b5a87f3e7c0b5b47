"""A modality or target folder missing from a translation folder was named
without the flag that named it, nor whether it was the target, nor the folders
that are there ('modality folder '.../rgbx' does not exist' for --target rgbx)."""
import numpy as np
import pytest
from PIL import Image

from pyg_fusion.cli import main
from pyg_fusion.datasets import TaskonomyFolder


@pytest.fixture
def scenes(tmp_path):
    for m in ("rgb", "shade", "depth"):
        (tmp_path / m).mkdir()
        for i in range(2):
            Image.fromarray(np.full((8, 8), 9 * i, np.uint8)).save(tmp_path / m / f"{i}.png")
    return tmp_path


@pytest.mark.parametrize("modalities,target,role,flag", [
    (["shade", "nrm"], "rgb", "modality", "--modalities"),
    (["shade", "depth"], "rgbx", "target", "--target")])
def test_the_missing_folder_is_named_with_its_role_and_the_folders_there(scenes, modalities,
                                                                         target, role, flag):
    missing = modalities[-1] if role == "modality" else target
    with pytest.raises(FileNotFoundError,
                       match=rf"^{role} folder '.*{missing}' does not exist: expected one folder "
                             rf"per modality and one for the target under '.*', which holds "
                             rf"'depth', 'rgb', 'shade' \(pyg-fusion: --data, {flag}\)$"):
        TaskonomyFolder(str(scenes), modalities, target=target, image_size=8)


def test_the_command_says_it_in_one_line(scenes, capsys):
    assert main(["translate", "train", "--data", str(scenes), "--modalities", "shade,depth",
                 "--target", "rgbx", "--image-size", "16", "--epochs", "1", "--no-progress",
                 "--out", str(scenes / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "target folder" in err and "--target" in err
