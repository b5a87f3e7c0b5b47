"""WeaklySupervisedVAD in a user's own ``lightning.Trainer``: what its
validation tells of a held-out set it cannot score."""
import lightning as L
import pytest
import torch
from torch_geometric.loader import DataLoader

from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.training.vad import IndexedDataset, WeaklySupervisedVAD


def test_held_out_videos_of_one_label_are_named_as_such(tmp_path):
    # a validation loader of normal videos only ended the first epoch in
    # roc_auc's "labels hold a single class", which named no loader
    train = SyntheticVAD(str(tmp_path), "train", num_videos=(4, 4), snippets=(16, 24),
                         num_segments=8, log=False)
    normal = [train[i] for i in range(len(train)) if int(train[i].y) == 0]
    torch.manual_seed(0)
    task = WeaklySupervisedVAD(build_model("graph-mean", "vad", {
        s: int(train[0][f"x_{s}"].size(1)) for s in train[0].sources}, num_segments=8))
    trainer = L.Trainer(max_epochs=1, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False,
                        default_root_dir=tmp_path)
    with pytest.raises(ValueError, match=r"the held-out videos \(the validation loader's\) "
                                         r"are all normal \(\d+ videos\).*split_videos"):
        trainer.fit(task, DataLoader(IndexedDataset(train), batch_size=4),
                    DataLoader(IndexedDataset(normal), batch_size=4))
