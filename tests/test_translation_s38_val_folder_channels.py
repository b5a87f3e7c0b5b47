"""``translate train --val-data`` whose images have other channels than
``--data``'s (grey targets beside colour ones) was refused at the first
validation batch with the advice to train a model on such targets, naming
neither folder: now before training, naming --val-data and the modality."""
import numpy as np
from PIL import Image

from pyg_fusion.cli import main


def _folder(root, grey_target=False, n=3):
    rng = np.random.default_rng(0)
    for m in ("ir", "rgb"):
        (root / m).mkdir(parents=True)
    for i in range(n):
        ir = rng.integers(0, 255, (8, 8)).astype(np.uint8)
        Image.fromarray(ir).save(root / "ir" / f"{i}.png")
        rgb = rng.integers(0, 255, (8, 8, 3)).astype(np.uint8)
        Image.fromarray(rgb[..., 0] if grey_target else rgb).save(root / "rgb" / f"{i}.png")
    return root


def test_a_validation_folder_of_other_channels_is_named(tmp_path, capsys):
    args = ["translate", "train", "--data", str(_folder(tmp_path / "train")), "--modalities",
            "ir", "--image-size", "8", "--num-downs", "3", "--ngf", "4", "--gan-mode", "none",
            "--epochs", "1", "--batch-size", "2", "--no-progress"]
    grey = _folder(tmp_path / "grey", grey_target=True)
    capsys.readouterr()
    assert main([*args, "--val-data", str(grey), "--out", str(tmp_path / "a")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith(f"error: --val-data {grey}: 'rgb' images have 1 channel "
                        f"there, 3 in --data: the generator is built for --data's images; save "
                        f"the validation images with their channels"), err
    assert not (tmp_path / "a").exists()
    assert main([*args, "--val-data", str(_folder(tmp_path / "val")),
                 "--out", str(tmp_path / "b")]) == 0
