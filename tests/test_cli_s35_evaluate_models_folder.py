"""pyg-fusion evaluate --checkpoint models/lego.ckpt --out models (a user's
own folder of models) was refused as 'a training run's checkpoint lego.ckpt
(the checkpoints folder of a pyg-fusion train run)': any *.ckpt counted as
a run's. A run keeps its checkpoints in a folder named checkpoints; that one
is refused as before."""
import pytest

from pyg_fusion.cli.evaluate import check_not_a_run_folder


def test_a_users_folder_of_models_is_no_runs_checkpoints_folder(tmp_path, monkeypatch):
    models = tmp_path / "models"
    models.mkdir()
    (models / "lego_digits.ckpt").write_bytes(b"")
    check_not_a_run_folder(models)
    ours = tmp_path / "run" / "lego" / "seed0" / "checkpoints"
    ours.mkdir(parents=True)
    (ours / "best.ckpt").write_bytes(b"")
    for out in (ours, tmp_path / "run" / "lego" / "seed0"):
        with pytest.raises(ValueError, match="holds a training run's checkpoint"):
            check_not_a_run_folder(out)
    monkeypatch.chdir(ours)  # --out . inside it
    with pytest.raises(ValueError, match="holds a training run's checkpoint best.ckpt"):
        check_not_a_run_folder(type(ours)("."))
