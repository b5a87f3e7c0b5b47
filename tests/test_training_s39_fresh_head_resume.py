"""A run resumed from the checkpoint of the last warm-up epoch (the branch
starts in the first epoch it trains) skipped branch_fresh_head's restart of
the row head: the branches' switch is no weight, and a model built afresh
has its branch on, so the restart, which fires when a branch turns on, never
fired. The checkpoint keeps the switch; the resumed run trains as the
uninterrupted one."""
import torch
from torch_geometric.loader import DataLoader

from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.training import build_trainer, seed_everything
from pyg_fusion.training.vad import IndexedDataset, WeaklySupervisedVAD


def test_a_run_resumed_where_the_branch_starts_restarts_the_head(tmp_path):
    train = SyntheticVAD(str(tmp_path / "svad"), "train", num_videos=(8, 7), snippets=(16, 24),
                         num_segments=8, log=False)
    inch = {s: int(train[0][f"x_{s}"].size(1)) for s in train[0].sources}

    def loaders():
        return (DataLoader(IndexedDataset(train), batch_size=4, shuffle=True,
                           generator=torch.Generator().manual_seed(0)),
                DataLoader(IndexedDataset(train), batch_size=4))
    ckpt = tmp_path / "cut" / "checkpoints" / "last.ckpt"
    tasks = {}
    for name, folder, epochs, resume in (("whole", "whole", 3, None), ("cut", "cut", 2, None),
                                         ("resumed", "cut", 3, ckpt)):
        seed_everything(0)
        tasks[name] = WeaklySupervisedVAD(
            build_model("lego", "vad", inch, num_segments=8, num_powers=2), lr=1e-2,
            operator_warmup=2, branch_warmup=True, branch_fresh_head=True)
        trainer = build_trainer(tmp_path / folder, max_epochs=epochs, seed=0, progress=False,
                                num_sanity_val_steps=0)
        trainer.fit(tasks[name], *loaders(), ckpt_path=resume)
    assert tasks["whole"].branch_start_epoch == tasks["resumed"].branch_start_epoch == 2
    whole, resumed = tasks["whole"].state_dict(), tasks["resumed"].state_dict()
    assert all(torch.equal(whole[k], resumed[k]) for k in whole)
