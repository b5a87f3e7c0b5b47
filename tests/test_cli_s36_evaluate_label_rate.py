"""pyg-fusion evaluate --label-rate on a node checkpoint was accepted and
recorded (setting label_rate=0.5) while the scores were the checkpoint's at
any rate: the rate picks the training nodes, and the test and validation
nodes are the same at every rate. It is refused where the model does not
read the training nodes' labels (every features but 'labels')."""
import pytest

from pyg_fusion.cli import main
from pyg_fusion.experiments.checkpoints import FROM_CHECKPOINT, _check_label_rate
from pyg_fusion.experiments.data import DataConfig


def test_a_label_rate_that_changes_no_score_is_refused(tmp_path, capsys):
    import numpy as np
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 15)
    np.save(tmp_path / "a.npy", rng.normal(y[:, None], 1.0, (45, 4)))
    np.save(tmp_path / "labels.npy", y)
    data = ["--dataset", "tables", "--views", str(tmp_path / "a.npy"), "--labels",
            str(tmp_path / "labels.npy"), "--root", str(tmp_path / "data"), "--no-progress",
            "--threads", "1"]
    out = tmp_path / "run"
    assert main(["train", "--method", "single-a", "--epochs", "1", "--label-rate", "0.3", *data,
                 "--out", str(out)]) == 0
    ckpt = out / "single-a" / "seed0" / "checkpoints" / "best.ckpt"
    capsys.readouterr()
    ev = tmp_path / "eval"
    assert main(["evaluate", "--checkpoint", str(ckpt), "--label-rate", "0.5", *data,
                 "--out", str(ev)]) == 2
    assert capsys.readouterr().err == (
        f"pyg-fusion evaluate: error: --label-rate 0.5: the checkpoint {ckpt} is scored on "
        f"test nodes that no label rate changes (the rate picks the training nodes, whose "
        f"labels its model, features=concat, does not read); leave --label-rate out (the "
        f"checkpoint's)\n")
    assert not (ev / "results.json").exists()
    # the checkpoint's own rate, as a script that repeats train's flags gives it
    assert main(["evaluate", "--checkpoint", str(ckpt), "--label-rate", "0.3", *data,
                 "--out", str(ev)]) == 0


def test_a_model_of_the_seed_labels_reads_the_label_rate():
    given = DataConfig(**{**FROM_CHECKPOINT, "label_rate": 0.5})
    _check_label_rate(given, {"label_rate": 0.05}, "labels", "a.ckpt")
    with pytest.raises(ValueError, match="--label-rate 0.5: .* features=none, does not read"):
        _check_label_rate(given, {"label_rate": 0.05}, "none", "a.ckpt")
    _check_label_rate(DataConfig(**FROM_CHECKPOINT), {"label_rate": 0.05}, "none", "a.ckpt")
