"""``ema_decay`` (``--ema-decay``): the held-out videos score, and the run
tests, an exponential moving average of the weights (HeldOutEMA)."""
import pytest
import torch
import torch.nn.functional as F
from torch_geometric.loader import DataLoader

from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.training.vad import split_videos, video_scores
from pyg_fusion.training.vad_fit import fit_vad
from pyg_fusion.training.weight_average import HeldOutEMA


@pytest.fixture(scope="module")
def vad_data(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("svad_ema"))
    kw = dict(num_videos=(12, 6), snippets=(16, 24), num_segments=8, log=False)
    return SyntheticVAD(root, "train", **kw), SyntheticVAD(root, "test", **kw)


def _builder(train, name="lego-row"):
    d = train[0]
    inch = {s: int(d[f"x_{s}"].size(1)) for s in d.sources}
    return lambda: build_model(name, "vad", inch, num_segments=8, num_powers=2)


FIT = dict(epochs=6, batch_size=4, val_fraction=0.25, lr=1e-2, progress=False,
           checkpoint=False, seed=2)


def _held_out_loss(model, train, seed=2):
    _, val_idx = split_videos(train, 0.25, seed)
    batch = next(iter(DataLoader([train[i] for i in val_idx], batch_size=len(val_idx))))
    model.eval()
    with torch.no_grad():
        logits, _ = model(batch)
    video = video_scores(logits, 3)
    return float(F.binary_cross_entropy(video.clamp(1e-6, 1 - 1e-6),
                                        batch.y.view(-1).to(video.dtype)))


def test_the_tested_model_is_the_average_that_was_scored(vad_data, tmp_path):
    train, test = vad_data
    out = fit_vad(_builder(train, "lego"), train, test, out_dir=tmp_path / "ema",
                  ema_decay=0.8, **FIT)
    # Lightning's callback puts the current weights back before the task's
    # hook records its best state: the state kept was then not the one scored
    assert _held_out_loss(out["task"].model, train) == pytest.approx(out["val_loss"], abs=1e-6)
    plain = fit_vad(_builder(train, "lego"), train, test, out_dir=tmp_path / "plain", **FIT)
    assert out["val_loss"] != pytest.approx(plain["val_loss"], abs=1e-4)


def test_a_vanishing_decay_is_the_plain_run(vad_data, tmp_path):
    train, test = vad_data
    plain = fit_vad(_builder(train), train, test, out_dir=tmp_path / "plain", **FIT)
    tiny = fit_vad(_builder(train), train, test, out_dir=tmp_path / "tiny", ema_decay=1e-12,
                   **FIT)
    assert tiny["epoch"] == plain["epoch"]
    assert tiny["val_loss"] == pytest.approx(plain["val_loss"], abs=1e-5)
    assert tiny["auc"] == pytest.approx(plain["auc"], abs=1e-5)


def test_bad_decays_are_named(vad_data, tmp_path):
    train, test = vad_data
    with pytest.raises(ValueError, match="ema_decay"):
        fit_vad(_builder(train), train, test, out_dir=tmp_path, ema_decay=1.0, **FIT)
    with pytest.raises(ValueError, match="decay must be in"):
        HeldOutEMA(0.0)
