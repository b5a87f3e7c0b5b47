"""``pyg-fusion segment`` on a user's own folders of scenes: a folder of test
scenes alone to score a checkpoint on, files whose problems only their pixels
show, and image formats that change what a file holds."""
import json
import re
import shutil

import pytest

from pyg_fusion.cli import main
from test_asym_user import SEG, _write_scenes


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A checkpoint of 5 classes trained on a NYUDv2-layout folder, and that folder."""
    tmp = tmp_path_factory.mktemp("seg")
    root, out = tmp / "nyud", tmp / "run"
    _write_scenes(root, "train", [(24, 32)] * 2)
    _write_scenes(root, "val", [(24, 32), (20, 28)], seed=1)
    assert main(["segment", "train", "--data", "nyud", "--root", str(root), *SEG,
                 "--out", str(out)]) == 0
    return root, str(out / "checkpoints" / "last.ckpt")


@pytest.mark.parametrize("name", ["val", "test"])
def test_evaluate_scores_a_folder_of_test_scenes_alone(tmp_path, capsys, trained, name):
    # evaluate --root <folder> stopped with 'list file not found: <folder>/train.txt':
    # scoring needs the test list only
    root, ckpt = trained
    alone = tmp_path / "alone"
    alone.mkdir()
    for f in root.glob("val*"):
        shutil.copy(f, alone / f.name)
    (alone / "val.txt").rename(alone / f"{name}.txt")
    args = ["segment", "evaluate", "--checkpoint", ckpt, "--no-progress"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert main([*args, "--root", str(alone), "--out", str(tmp_path / "b")]) == 0
    capsys.readouterr()
    a, b = (json.loads((tmp_path / d / "metrics.json").read_text()) for d in "ab")
    assert b["config"]["data"]["root"] == str(alone)
    assert b["scores"] == a["scores"]   # the same scenes, from the other folder
    (alone / f"{name}.txt").unlink()
    assert main([*args, "--root", str(alone), "--out", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err.strip()
    assert re.fullmatch(r"pyg-fusion segment evaluate: error: --root \S+ has no test list: "
                        r"put val\.txt or test\.txt there \(val\.txt is scored when both "
                        r"exist\)", err), err
