"""A trainer that validates part of the held-out loader (``fast_dev_run``,
``limit_val_batches``, ``overfit_batches``) may score videos of one label:
the error said the held-out videos were all of it and advised a stratified
split, which they already were."""
import pytest
import torch
from torch_geometric.loader import DataLoader

from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.training import build_trainer
from pyg_fusion.training.vad import IndexedDataset, WeaklySupervisedVAD


@pytest.mark.parametrize("limit", [dict(fast_dev_run=True), dict(limit_val_batches=1)])
def test_a_partial_validation_of_one_label_says_so(tmp_path, limit):
    videos = SyntheticVAD(str(tmp_path / "svad"), "train", num_videos=(8, 7),
                          snippets=(16, 24), num_segments=8, log=False)
    labels = torch.tensor([int(d.y) for d in videos])
    assert labels.unique().numel() == 2 and labels[:4].unique().numel() == 1
    inch = {s: int(videos[0][f"x_{s}"].size(1)) for s in videos[0].sources}
    task = WeaklySupervisedVAD(build_model("lego", "vad", inch, num_segments=8))
    trainer = build_trainer(tmp_path / "run", max_epochs=1, progress=False,
                            num_sanity_val_steps=0, **limit)
    loader = DataLoader(IndexedDataset(videos), batch_size=4)
    with pytest.raises(ValueError, match=r"validated are all \w+ \(4 videos, the first 1 of its \d batches: fast_dev_run"):
        trainer.fit(task, loader, loader)
