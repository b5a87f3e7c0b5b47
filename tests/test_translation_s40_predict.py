"""`translate predict`: a checkpoint run on new scenes without targets (a folder of the
input modalities, TaskonomyFolder's target=None), one PNG per scene and a table. A user
with a trained generator had no way to translate new scenes from the CLI: TaskonomyFolder
needed the target folder."""
import csv

import numpy as np
import pytest
import torch
from PIL import Image

from pyg_fusion.cli import main
from pyg_fusion.datasets import TaskonomyFolder


def _folder(root, names=("a", "b")):
    rng = np.random.default_rng(0)
    for m in ("shade", "depth", "rgb"):
        (root / m).mkdir(parents=True)
    for n in names:
        Image.fromarray(rng.integers(0, 255, (20, 20), dtype=np.uint8)).save(
            root / "shade" / f"{n}.png")
        Image.fromarray(rng.integers(0, 60000, (20, 20)).astype(np.uint16)).save(
            root / "depth" / f"{n}.png")
        Image.fromarray(rng.integers(0, 255, (20, 20, 3), dtype=np.uint8)).save(
            root / "rgb" / f"{n}.png")


def test_scenes_without_targets_read_as_those_with_them(tmp_path):
    _folder(tmp_path)
    new = TaskonomyFolder(tmp_path, ["shade", "depth"], target=None, image_size=16)
    full = TaskonomyFolder(tmp_path, ["shade", "depth"], image_size=16)
    new.check_files()
    assert new.names == full.names == ["a", "b"] and new.raw_file_names == ["shade", "depth"]
    for a, b in zip(new, full):
        assert "y" not in a and set(b.keys()) - set(a.keys()) == {"y"}
        for k in a.keys():  # the images and valid masks; num_nodes
            assert torch.equal(a[k], b[k]) if torch.is_tensor(a[k]) else a[k] == b[k]
    with pytest.raises(ValueError, match="target=None"):
        new.target_channels
    with pytest.raises(TypeError, match="target must be the name of a modality folder or None"):
        TaskonomyFolder(tmp_path, ["shade"], target="")


@pytest.mark.parametrize("out_channels, dtype", [(3, np.uint8), (1, np.uint16)])
def test_predict_writes_the_ensembles_images_and_a_table(tmp_path, capsys, out_channels,
                                                         dtype):
    from pyg_fusion.training.translation import TranslationModule
    _folder(tmp_path / "data")
    module = TranslationModule(["shade", "depth"], [1, 1], out_channels=out_channels, ngf=2,
                               num_downs=3, ndf=2, data_config={"image_size": 16}).eval()
    torch.save({"state_dict": module.state_dict(), "hyper_parameters": dict(module.hparams)},
               tmp_path / "m.ckpt")
    (tmp_path / "new").mkdir()  # the inputs alone: no target folder
    for m in ("shade", "depth"):
        (tmp_path / "data" / m).rename(tmp_path / "new" / m)
    out = tmp_path / "out"
    assert main(["translate", "predict", "--checkpoint", str(tmp_path / "m.ckpt"), "--data",
                 str(tmp_path / "new"), "--out", str(out), "--no-progress"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"wrote {out / 'predictions.csv'}, {out / 'predictions'}")
    rows = list(csv.DictReader((out / "predictions.csv").open()))
    assert [tuple(r.values()) for r in rows] == [("a", "predictions/a.png", "16", "16"),
                                                 ("b", "predictions/b.png", "16", "16")]
    scenes = TaskonomyFolder(tmp_path / "new", ["shade", "depth"], target=None, image_size=16)
    with torch.no_grad():
        for row, scene in zip(rows, scenes):
            want = module.translate(scene)["ensemble"][0]
            got = np.array(Image.open(out / row["prediction"]))
            assert got.dtype == dtype
            scale = 255 if dtype == np.uint8 else 65535
            got = torch.from_numpy(got.astype(np.float32) / scale)
            got = got[None] if got.dim() == 2 else got.permute(2, 0, 1)
            assert torch.allclose(got, want, atol=0.5 / scale + 1e-6)


def test_predict_names_a_missing_modality_folder(tmp_path, capsys):
    from pyg_fusion.training.translation import TranslationModule
    _folder(tmp_path / "data")
    module = TranslationModule(["shade", "normal"], [1, 3], ngf=2, num_downs=3, ndf=2)
    torch.save({"state_dict": module.state_dict(), "hyper_parameters": dict(module.hparams)},
               tmp_path / "m.ckpt")
    assert main(["translate", "predict", "--checkpoint", str(tmp_path / "m.ckpt"), "--data",
                 str(tmp_path / "data"), "--out", str(tmp_path / "out"), "--no-progress"]) == 2
    assert "modality folder" in capsys.readouterr().err
    assert not (tmp_path / "out" / "predictions.csv").exists()


def test_a_checkpoint_without_its_image_size_is_predicted_with_a_notice(tmp_path, capsys):
    from pyg_fusion.experiments.image_config import TranslateDataConfig
    from pyg_fusion.training.translation import TranslationModule
    _folder(tmp_path / "data")
    module = TranslationModule(["shade", "depth"], [1, 1], ngf=2, num_downs=3, ndf=2)
    hp = dict(module.hparams)
    del hp["data_config"]  # as written before the data settings were recorded
    torch.save({"state_dict": module.state_dict(), "hyper_parameters": hp}, tmp_path / "m.ckpt")
    assert main(["translate", "predict", "--checkpoint", str(tmp_path / "m.ckpt"), "--data",
                 str(tmp_path / "data"), "--out", str(tmp_path / "out"), "--no-progress"]) == 0
    size = TranslateDataConfig.image_size
    assert (f"notice: --checkpoint {tmp_path / 'm.ckpt'} records no image size: scenes are "
            f"resized to the default {size} x {size}") in capsys.readouterr().err
    assert Image.open(tmp_path / "out" / "predictions" / "a.png").size == (size, size)
