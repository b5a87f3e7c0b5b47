"""The image tasks' LightningModules as a user's own Lightning code saves
them: every checkpoint records the library versions that wrote it (as the
graph checkpoints' config does) and loads back with ``weights_only=True``."""
import inspect

import lightning as L
import pytest
import torch

from pyg_fusion._versions import library_versions


def _saved(module, path):
    """``path`` after a user's own Trainer saved ``module`` in it (no step)."""
    trainer = L.Trainer(max_steps=0, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False,
                        default_root_dir=path.parent)
    trainer.fit(module, torch.utils.data.DataLoader([0]))
    trainer.save_checkpoint(path)
    return path


def _reload(cls, path, **kwargs):
    """``cls.load_from_checkpoint`` with ``weights_only=True`` where
    Lightning takes it (lightning 2.2, the floor, has no such argument and
    would hand it to the module's constructor)."""
    if "weights_only" in inspect.signature(cls.load_from_checkpoint).parameters:
        kwargs["weights_only"] = True
    return cls.load_from_checkpoint(path, **kwargs)


def _tiny(name):
    if name == "segmentation":
        from pyg_fusion.training.segmentation import SegmentationModule
        from test_asym_user import TINY
        return SegmentationModule("asymfusion", 5, TINY)
    from pyg_fusion.training.translation import TranslationModule
    return TranslationModule(["shade", "depth"], [1, 1], gan_mode="none", ngf=2, num_downs=3)


@pytest.mark.parametrize("name", ["segmentation", "translation"])
def test_an_image_checkpoint_records_the_library_versions(tmp_path, name):
    # SegmentationModule / TranslationModule checkpoints held no versions: a
    # number read from one could not be traced to the code that computed it
    module = _tiny(name)
    path = _saved(module, tmp_path / "m.ckpt")
    checkpoint = torch.load(path, weights_only=True)
    assert checkpoint["versions"] == library_versions()
    again = _reload(type(module), path)
    for key, value in module.state_dict().items():
        assert torch.equal(again.state_dict()[key], value), key


class _StopAfterOneBatch(L.Callback):
    def on_validation_batch_end(self, *args, **kwargs):
        raise KeyError("stopped")  # as an error or Ctrl-C part-way through a pass


def _image_pass(name, tmp_path):
    """The module, its evaluation loader and a pass (``test`` for the
    segmenter, ``validate`` for the translator, which has no test step)
    returning the scores."""
    from torch.utils.data import DataLoader as TorchLoader
    from torch_geometric.loader import DataLoader as PygLoader
    kw = dict(logger=False, enable_progress_bar=False, enable_checkpointing=False,
              enable_model_summary=False, default_root_dir=tmp_path)
    torch.manual_seed(0)
    if name == "segmentation":
        from pyg_fusion.datasets import SyntheticRGBD
        from pyg_fusion.training.segmentation import SegmentationModule
        from test_asym_user import TINY
        scenes = SyntheticRGBD(tmp_path, "test", size=16, num_train=2, num_test=4,
                               augment=False, progress=False)
        module = SegmentationModule("asymfusion", scenes.num_classes, TINY)
        loader = TorchLoader(scenes, batch_size=2)
        return module, loader, lambda: L.Trainer(**kw).test(module, loader, verbose=False)
    from pyg_fusion.datasets import SyntheticTranslation
    from pyg_fusion.training.translation import TranslationModule
    images = SyntheticTranslation(str(tmp_path), "test", 4, 16, seed=0,
                                  modalities=["shade", "depth"], progress=False)
    module = TranslationModule(["shade", "depth"], gan_mode="none", ngf=2, num_downs=3)
    loader = PygLoader(images, batch_size=2)
    return module, loader, lambda: L.Trainer(**kw).validate(module, loader, verbose=False)


@pytest.mark.parametrize("name", ["segmentation", "translation"])
def test_a_pass_after_one_stopped_part_way_scores_only_its_own_batches(tmp_path, name):
    # the confusion matrices (image metrics) kept the stopped pass's batches,
    # which the next pass counted as its own: other scores, silently
    module, loader, evaluate = _image_pass(name, tmp_path)
    want = evaluate()
    stopped = L.Trainer(logger=False, enable_progress_bar=False, enable_model_summary=False,
                        callbacks=[_StopAfterOneBatch()], default_root_dir=tmp_path)
    with pytest.raises(KeyError, match="stopped"):
        stopped.validate(module, loader, verbose=False)
    assert evaluate() == want


def test_a_vad_checkpoint_of_standardised_data_loads_with_only_its_model(tmp_path):
    # WeaklySupervisedVAD.load_from_checkpoint(path, model=...) of a fit_vad
    # checkpoint of standardised videos: "Unexpected key(s) in state_dict:
    # standardizer.mean_a, ..."; the task now takes the checkpoint's statistics
    from pyg_fusion.datasets import StandardizeSources
    from pyg_fusion.methods import build_model
    from pyg_fusion.training.vad import WeaklySupervisedVAD

    def model():
        return build_model("graph-mean", "vad", {"a": 3, "b": 2}, num_segments=8)
    stats = StandardizeSources({"a": (torch.arange(3.0), torch.full((3, ), 2.0)),
                                "b": (torch.ones(2), torch.ones(2))})
    task = WeaklySupervisedVAD(model(), standardizer=stats)
    again = _reload(WeaklySupervisedVAD, _saved(task, tmp_path / "vad.ckpt"), model=model())
    assert again.standardizer.sources == stats.sources
    for key, value in task.state_dict().items():
        assert torch.equal(again.state_dict()[key], value), key
    plain = WeaklySupervisedVAD(model())  # a checkpoint without statistics: none
    assert _reload(WeaklySupervisedVAD, _saved(plain, tmp_path / "plain.ckpt"),
                   model=model()).standardizer is None


def test_trainer_predict_of_the_translator_gives_its_translations(tmp_path):
    # Lightning's default predict_step handed the batch to forward, which takes
    # the input images: "unsupported operand type(s) for -: 'tuple' and 'int'"
    module, loader, _ = _image_pass("translation", tmp_path)
    trainer = L.Trainer(logger=False, enable_progress_bar=False, enable_model_summary=False,
                        default_root_dir=tmp_path)
    got = trainer.predict(module, loader)
    module.eval()
    with torch.no_grad():
        want = [module.translate(batch) for batch in loader]
    assert len(got) == len(want) == 2
    for g, w in zip(got, want):
        assert list(g) == ["shade", "depth", "ensemble"]
        assert all(torch.equal(g[k], w[k]) for k in w)


def test_a_vad_task_reloaded_from_its_checkpoint_keeps_its_settings(tmp_path):
    # lambda_sparse, operator_lr, operator_warmup and branch_warmup were not
    # among the saved hyper-parameters: load_from_checkpoint rebuilt the task
    # with their defaults (a loss without its sparsity term, one learning
    # rate for A), and a logger's hparams did not record them
    from pyg_fusion.methods import build_model
    from pyg_fusion.training.vad import WeaklySupervisedVAD

    def model():
        return build_model("lego", "vad", {"a": 3, "b": 2}, num_segments=8)
    settings = dict(lr=2e-3, weight_decay=1e-4, topk=2, lambda_deg=0.2, alpha=0.1,
                    lambda_sparse=0.5, operator_lr=1e-4, operator_warmup=3,
                    branch_warmup=True, choice="loss")
    task = WeaklySupervisedVAD(model(), **settings)
    again = _reload(WeaklySupervisedVAD, _saved(task, tmp_path / "vad.ckpt"), model=model())
    assert {k: getattr(again, k) for k in settings} == settings
    assert {k: again.hparams[k] for k in settings} == settings
