"""segment / translate --print-config printed the user's files and folders
(--checkpoint, a nyud --root, --pretrained, a translate --data or --val-data
folder) as typed: read back with --config from another folder, 'no such
file'. They are printed absolute, as the run records them; the synthetic
scenes' root stays as given."""
import yaml
import torch

from pyg_fusion.cli import main


def _printed(capsys, argv) -> dict:
    assert main([*argv, "--print-config"]) == 0
    return yaml.safe_load(capsys.readouterr().out)


def test_image_configs_print_the_users_files_absolute(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for name in ("nyu", "scenes", "val"):
        (tmp_path / name).mkdir()
    (tmp_path / "w.pth").write_bytes(b"")
    torch.save({}, tmp_path / "last.ckpt")
    seg = _printed(capsys, ["segment", "train", "--data", "nyud", "--root", "nyu",
                            "--pretrained", "w.pth"])
    assert seg["data"]["root"] == str(tmp_path / "nyu")
    assert seg["model"]["pretrained"] == str(tmp_path / "w.pth")
    tra = _printed(capsys, ["translate", "train", "--data", "scenes", "--val-data", "val"])
    assert tra["data"]["data"] == str(tmp_path / "scenes")
    assert tra["splits"]["val_data"] == str(tmp_path / "val")
    for task in ("segment", "translate"):
        ev = _printed(capsys, [task, "evaluate", "--checkpoint", "last.ckpt"])
        assert ev["checkpoint"] == str(tmp_path / "last.ckpt")
    # the synthetic scenes: the seed makes them anywhere, their root as given
    assert _printed(capsys, ["segment", "train", "--root", "s"])["data"]["root"] == "s"
    assert _printed(capsys, ["translate", "train"])["data"]["data"] == "synthetic"
