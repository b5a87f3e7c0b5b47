"""The image tasks' LightningModules as a user's own Lightning code saves
them: every checkpoint records the library versions that wrote it (as the
graph checkpoints' config does) and loads back with ``weights_only=True``."""
import lightning as L
import pytest
import torch

from pyg_fusion.experiments._versions import library_versions


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
    trainer = L.Trainer(max_steps=0, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False,
                        default_root_dir=tmp_path)
    trainer.fit(module, torch.utils.data.DataLoader([0]))
    path = tmp_path / "m.ckpt"
    trainer.save_checkpoint(path)
    checkpoint = torch.load(path, weights_only=True)
    assert checkpoint["versions"] == library_versions()
    again = type(module).load_from_checkpoint(path, weights_only=True)
    for key, value in module.state_dict().items():
        assert torch.equal(again.state_dict()[key], value), key
