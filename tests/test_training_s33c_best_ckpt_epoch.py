"""best.ckpt, the tested model that fit_vad saves after training with the
chosen epoch's weights, is dated by that epoch (Lightning's ``"epoch"``, the
recorded ``epoch``), as a ModelCheckpoint's best checkpoint is: it said the
number of epochs trained (a run stopped after 2 epochs that tested epoch 0:
best.ckpt said epoch 2, beside a last.ckpt of epoch 1)."""
import pytest
import torch

from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.training.vad_fit import fit_vad


@pytest.mark.parametrize("warmup", [0, "auto"])
def test_best_ckpt_is_dated_by_the_tested_epoch(tmp_path, warmup):
    kw = dict(num_videos=(12, 4), snippets=(16, 24), num_segments=8, log=False)
    root = str(tmp_path / "data")
    train, test = SyntheticVAD(root, "train", **kw), SyntheticVAD(root, "test", **kw)
    inch = {s: int(train[0][f"x_{s}"].size(1)) for s in train[0].sources}
    model = build_model("lego-row", "vad", inch, num_segments=8, num_powers=2)
    r = fit_vad(model, train, test, out_dir=tmp_path / "run", epochs=3, batch_size=4,
                val_fraction=0.25, patience=1, operator_warmup=warmup, lr=0.05,
                progress=False, lambda_deg=0.0)
    ckpts = tmp_path / "run" / "checkpoints"
    best, last = (torch.load(ckpts / f"{n}.ckpt", map_location="cpu", weights_only=False)
                  for n in ("best", "last"))
    trained = r["trainer"].current_epoch  # after fit: the epochs trained
    assert last["epoch"] == trained - 1  # the last epoch (0-based)
    assert best["epoch"] == r["epoch"] <= last["epoch"]
    # and it holds that epoch's weights, the tested ones
    state = r["task"].model.state_dict()
    assert all(torch.equal(best["state_dict"][f"model.{k}"], v) for k, v in state.items())


def test_a_node_best_ckpt_of_the_last_epoch_is_dated_by_it(tmp_path):
    # eval_every not dividing epochs: the last epoch, scored after fit, was
    # saved as best.ckpt dated 7 (the epochs trained) for the chosen epoch 6
    from pyg_fusion.data import MultiSourceData
    from pyg_fusion.training import seed_everything
    from pyg_fusion.training.node import fit_node
    g = torch.Generator().manual_seed(0)
    y = torch.arange(3).repeat_interleave(20)
    data = MultiSourceData(x_a=torch.randn(60, 4, generator=g) + y[:, None],
                           x_b=torch.randn(60, 3, generator=g) - y[:, None], y=y)
    perm = torch.randperm(60, generator=g)
    for name, idx in (("train", perm[:12]), ("val", perm[12:30]), ("test", perm[30:])):
        data[f"{name}_mask"] = torch.zeros(60, dtype=torch.bool).index_fill_(0, idx, True)
    seed_everything(1)
    model = build_model("graph-mean", "node", {"a": 4, "b": 3}, num_classes=3, k=5,
                        hidden_channels=16)
    r = fit_node(model, data, out_dir=tmp_path, epochs=7, eval_every=5, seed=1, lr=0.001,
                 progress=False, checkpoint=True)
    best = torch.load(tmp_path / "checkpoints" / "best.ckpt", weights_only=False)
    assert r["epoch"] == 6 and best["epoch"] == 6
