"""The graph tasks' LightningModules as a user's own Python code builds them
for a Trainer of their own: the arguments that Adam or a later step would
read wrongly are named when the task is built."""
import re

import pytest

from pyg_fusion.methods import build_model
from pyg_fusion.training.node import NodeClassification
from pyg_fusion.training.vad import WeaklySupervisedVAD


def _vad_model():
    return build_model("lego", "vad", {"a": 4, "b": 3}, num_segments=8)


def test_a_negative_operator_lr_is_named_not_trained_uphill():
    # Adam checks its default lr, never a parameter group's own: operator_lr=-1
    # built an optimizer that moved the LEGO operators up their gradient
    model = _vad_model()
    with pytest.raises(ValueError, match=re.escape(
            "operator_lr must be a finite number > 0, got -1")):
        WeaklySupervisedVAD(model, operator_lr=-1)
    groups = WeaklySupervisedVAD(model, operator_lr=1e-4).configure_optimizers().param_groups
    assert [g["lr"] for g in groups] == [1e-3, 1e-4]


@pytest.mark.parametrize("kwargs, message", [
    (dict(lr=0), "lr must be a finite number > 0, got 0"),
    (dict(lr="0.01"), "lr must be a finite number > 0, got '0.01'"),
    (dict(weight_decay=-1.0), "weight_decay must be a finite number >= 0, got -1.0"),
])
def test_the_optimizer_settings_are_checked_when_the_task_is_built(kwargs, message):
    # torch's Adam said so only when fit started ('Invalid learning rate'), or
    # not at all for lr=0 (a run that trained nothing), or with a TypeError
    model = build_model("graph-mean", "node", {"a": 4, "b": 3}, num_classes=3, k=5)
    for task in (NodeClassification, WeaklySupervisedVAD):
        with pytest.raises(ValueError, match=re.escape(message)):
            task(model if task is NodeClassification else _vad_model(), **kwargs)


@pytest.mark.parametrize("task", [NodeClassification, WeaklySupervisedVAD])
def test_a_task_of_no_module_is_named(task):
    # NodeClassification("lego"): "'str' object has no attribute 'modules'";
    # WeaklySupervisedVAD("lego") was built, and failed in the first step
    with pytest.raises(TypeError, match=re.escape(
            "model must be a torch.nn.Module (e.g. of pyg_fusion.methods.build_model), got str")):
        task("lego")


def test_the_divergence_check_reads_the_steps_loss_under_gradient_accumulation(tmp_path):
    # Lightning hands on_train_batch_end the loss divided by
    # accumulate_grad_batches: the run's first loss, and the loss a divergence
    # error reports, were a quarter of the logged train_loss
    import lightning as L
    from test_training_node import _toy_graph

    from pyg_fusion.training.node import single_graph_loader
    model = build_model("graph-mean", "node", {"a": 4, "b": 3}, num_classes=3, k=5)
    task = NodeClassification(model)
    trainer = L.Trainer(max_epochs=1, accumulate_grad_batches=4, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False, default_root_dir=tmp_path)
    trainer.fit(task, single_graph_loader(_toy_graph()))
    assert task.first_loss == pytest.approx(float(trainer.callback_metrics["train_loss"]))


@pytest.mark.parametrize("kwargs, message", [
    (dict(patience=0), "patience must be >= 1, got 0"),
    (dict(patience=-1), "patience must be >= 1, got -1"),
    (dict(seed=-1), "seed must be an int in [0, 2**32) (numpy's seeds), got -1"),
    (dict(seed="0"), "seed must be an int in [0, 2**32) (numpy's seeds), got '0'"),
])
def test_fit_vad_names_a_patience_or_seed_it_cannot_use(tmp_path, kwargs, message):
    # patience=0 or -1 stopped as patience=1 does (the flag takes >= 1);
    # seed=-1 was "-1 is not in bounds, numpy accepts from 0 to 4294967295"
    # and seed="0" "manual_seed expected a long, but got str", naming no argument
    from pyg_fusion.training.vad_fit import fit_vad
    with pytest.raises(ValueError, match=re.escape(message)):
        fit_vad(_vad_model, [], [], out_dir=tmp_path, epochs=1, progress=False,
                checkpoint=False, **kwargs)


def test_the_image_fits_refuse_zero_epochs_and_seeds_take_numpy_ints(tmp_path):
    # fit_translation / fit_segmentation(max_epochs=0) returned a trainer
    # that had trained nothing, without a word
    import numpy as np

    from pyg_fusion.training import seed_everything
    from pyg_fusion.training.translation import TranslationModule, fit_translation
    module = TranslationModule(["shade"], gan_mode="none", ngf=2, num_downs=3)
    with pytest.raises(ValueError, match=re.escape("max_epochs must be >= 1, got 0")):
        # (one scene, never read: an empty train is refused first since 8d525c5)
        fit_translation(module, [None], out_dir=str(tmp_path), max_epochs=0, progress=False)
    assert seed_everything(np.int64(3)) == 3  # as Lightning takes them


@pytest.mark.parametrize("kwargs, message", [
    (dict(lr=0), "lr must be a finite number > 0, got 0"),  # Adam took it: no training
    (dict(lr="x"), "lr must be a finite number > 0, got 'x'"),
    (dict(lambda_l1=float("nan")), "lambda_l1 must be a finite number >= 0, got nan"),
    (dict(lambda_gan=-1.0), "lambda_gan must be a finite number >= 0, got -1.0"),
])
def test_the_translator_checks_its_objective_and_rate_as_the_flags(kwargs, message):
    from pyg_fusion.training.translation import TranslationModule
    with pytest.raises(ValueError, match=re.escape(message)):
        TranslationModule(["shade"], ngf=2, num_downs=3, **kwargs)


@pytest.mark.parametrize("kwargs, message", [
    (dict(lr=0), "lr must be a finite number > 0, got 0"),
    (dict(lr="x"), "lr must be a finite number > 0, got 'x'"),
    (dict(weight_decay=-1), "weight_decay must be a finite number >= 0, got -1"),
])
def test_the_segmenter_checks_its_rate_when_built(kwargs, message):
    # lr=0 trained nothing without a word; lr='x' was torch's TypeError at fit start
    from pyg_fusion.training.segmentation import SegmentationModule
    from test_asym_user import TINY
    with pytest.raises(ValueError, match=re.escape(message)):
        SegmentationModule("asymfusion", 5, TINY, **kwargs)


def test_a_pseudo_auc_choice_without_pseudo_anomalies_stops_before_training(tmp_path):
    # the RuntimeError "set task.pseudo" came at the first validation's end,
    # after an epoch of training
    import lightning as L
    from torch_geometric.data import Data
    from torch_geometric.loader import DataLoader

    from pyg_fusion.training.vad import IndexedDataset
    task = WeaklySupervisedVAD(_vad_model(), choice="pseudo_auc")
    trainer = L.Trainer(max_epochs=1, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False,
                        default_root_dir=tmp_path)
    loader = DataLoader(IndexedDataset([Data(num_nodes=8)]))
    with pytest.raises(ValueError, match=re.escape(
            "choice='pseudo_auc' chooses on pseudo-anomalies, and the task has none")):
        trainer.fit(task, loader, loader)
    assert trainer.global_step == 0
