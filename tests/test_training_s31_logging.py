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
