"""What the tasks log, as Lightning reads it under DDP: a value averaged
over the epoch (``on_epoch=True``) of each rank's own batches is reduced
over the ranks (``sync_dist=True``), or a multi-device run logs rank 0's
share as the epoch's value."""
import lightning as L
import torch


def _logged(module, loader, tmp_path):
    """``{name: kwargs}`` of every ``self.log`` / ``self.log_dict`` call of
    one training step in a plain Trainer."""
    calls = {}
    log, log_dict = module.log, module.log_dict

    def record(name, value, **kwargs):
        calls[name] = kwargs
        return log(name, value, **kwargs)

    def record_dict(values, **kwargs):
        calls.update({name: kwargs for name in values})
        return log_dict(values, **kwargs)
    module.log, module.log_dict = record, record_dict
    L.Trainer(max_steps=1, limit_val_batches=0, logger=False, enable_checkpointing=False,
              enable_progress_bar=False, enable_model_summary=False,
              default_root_dir=tmp_path).fit(module, loader)
    return calls


def _epoch_level_unsynced(calls):
    return [name for name, kw in calls.items()
            if kw.get("on_epoch") and not kw.get("sync_dist")]


def test_the_segmenters_epoch_train_loss_is_reduced_over_the_ranks(tmp_path):
    # train_loss (on_step and on_epoch) was logged without sync_dist: the
    # epoch's value of a 2-device run was rank 0's mean alone
    from torch.utils.data import DataLoader

    from pyg_fusion.datasets import SyntheticRGBD
    from pyg_fusion.training.segmentation import SegmentationModule
    from test_asym_user import TINY
    torch.manual_seed(0)
    scenes = SyntheticRGBD(tmp_path, "train", size=16, num_train=2, num_test=2,
                           augment=False, progress=False)
    module = SegmentationModule("asymfusion", scenes.num_classes, TINY)
    calls = _logged(module, DataLoader(scenes, batch_size=2), tmp_path)
    assert "train_loss" in calls and not _epoch_level_unsynced(calls)


def test_the_translators_epoch_losses_are_reduced_over_the_ranks(tmp_path):
    # train/l1_<output>, train/loss_g (on_step and on_epoch) the same
    from torch_geometric.loader import DataLoader

    from pyg_fusion.datasets import SyntheticTranslation
    from pyg_fusion.training.translation import TranslationModule
    torch.manual_seed(0)
    images = SyntheticTranslation(str(tmp_path), "train", 2, 16, seed=0,
                                  modalities=["shade", "depth"], progress=False)
    module = TranslationModule(["shade", "depth"], gan_mode="none", ngf=2, num_downs=3)
    calls = _logged(module, DataLoader(images, batch_size=2), tmp_path)
    assert "train/loss_g" in calls and not _epoch_level_unsynced(calls)


def _ddp_warnings(run, tmp_path):
    """Lightning's warnings of ``run(trainer)`` under DDP (one CPU process:
    Lightning's process group, of one rank, in the test's own process)."""
    import os
    import warnings

    import torch.distributed as dist
    env = dict(os.environ)
    trainer = L.Trainer(accelerator="cpu", devices=1, strategy="ddp", logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False, default_root_dir=tmp_path)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            values = run(trainer)
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()
        os.environ.clear()
        os.environ.update(env)
    return values, [str(w.message) for w in caught if "sync_dist" in str(w.message)]


def test_the_graph_tasks_epoch_scores_log_under_ddp_without_a_warning(tmp_path):
    # val_acc / test_acc / train_acc (node) and the VAD scores, logged per
    # epoch without sync_dist: Lightning warned under DDP to use it, though
    # every rank holds the gathered scores; the values stay those of one device
    from torch_geometric.loader import DataLoader

    from pyg_fusion.datasets import SyntheticVAD
    from pyg_fusion.methods import build_model
    from pyg_fusion.training.node import NodeClassification, single_graph_loader
    from pyg_fusion.training.vad import IndexedDataset, WeaklySupervisedVAD
    from test_training_node import _toy_graph
    torch.manual_seed(0)
    data = _toy_graph()
    node = NodeClassification(build_model("graph-mean", "node", {"a": 4, "b": 3},
                                          num_classes=3, k=5))
    loader = single_graph_loader(data)
    plain = L.Trainer(accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                      enable_progress_bar=False, enable_model_summary=False,
                      default_root_dir=tmp_path)
    want = plain.validate(node, loader, verbose=False) + plain.test(node, loader, verbose=False)
    got, warned = _ddp_warnings(lambda t: t.validate(node, loader, verbose=False)
                                + t.test(node, loader, verbose=False), tmp_path)
    assert got == want and not warned
    kw = dict(num_videos=(4, 4), snippets=(16, 24), num_segments=8, log=False)
    train = SyntheticVAD(str(tmp_path / "vad"), "train", **kw)
    test = SyntheticVAD(str(tmp_path / "vad"), "test", **kw)
    d = train[0]
    vad = WeaklySupervisedVAD(build_model("graph-mean", "vad", {s: int(d[f"x_{s}"].size(1))
                                                                for s in d.sources},
                                          num_segments=8))
    vad.eval_dataset = test
    _, warned = _ddp_warnings(
        lambda t: t.validate(vad, DataLoader(IndexedDataset(train), batch_size=4), verbose=False)
        + t.test(vad, DataLoader(IndexedDataset(test), batch_size=4), verbose=False), tmp_path)
    assert not warned
