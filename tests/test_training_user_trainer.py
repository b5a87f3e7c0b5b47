"""The tasks' LightningModules in a user's own ``lightning.Trainer``, with
Lightning's defaults (a sanity check before training, no callbacks of ours),
not through fit_node / fit_vad."""
import lightning as L
import pytest
import torch
from torch_geometric.loader import DataLoader

from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.training._task import OperatorWarmupAuto
from pyg_fusion.training.vad import IndexedDataset, WeaklySupervisedVAD


@pytest.fixture(scope="module")
def vad_train(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("svad_user_trainer"))
    return SyntheticVAD(root, "train", num_videos=(8, 7), snippets=(16, 24), num_segments=8,
                        log=False)


def _vad_model(train):
    d = train[0]
    torch.manual_seed(0)
    return build_model("lego", "vad", {s: int(d[f"x_{s}"].size(1)) for s in d.sources},
                       num_segments=8)


def _trainer(tmp_path, **kwargs):
    return L.Trainer(default_root_dir=tmp_path, max_epochs=kwargs.pop("max_epochs", 2),
                     logger=False, enable_checkpointing=False, enable_progress_bar=False,
                     enable_model_summary=False, **kwargs)


def test_an_auto_warmup_without_its_callback_is_an_error(vad_train, tmp_path):
    # without OperatorWarmupAuto nothing ever frees A: it trained as frozen
    model = _vad_model(vad_train)
    start = model.lego.fusion.A.detach().clone()
    loader = DataLoader(IndexedDataset(vad_train), batch_size=4)
    task = WeaklySupervisedVAD(model, operator_warmup="auto")
    with pytest.raises(ValueError, match="operator_warmup='auto'.*OperatorWarmupAuto callback"):
        _trainer(tmp_path).fit(task, loader)
    assert torch.equal(model.lego.fusion.A, start)
    # with the callback the warm-up runs (phase 1 at most 1 epoch: A trains after it)
    task = WeaklySupervisedVAD(model, operator_warmup="auto")
    cb = OperatorWarmupAuto("val_score", mode="max", patience=5, phase_epochs=1)
    _trainer(tmp_path, callbacks=[cb], num_sanity_val_steps=0).fit(task, loader, loader)
    assert task.operator_start_epoch == 1 and not torch.equal(model.lego.fusion.A, start)
