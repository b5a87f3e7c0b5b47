"""A run interrupted and resumed from its last checkpoint
(``Trainer.fit(..., ckpt_path=...)`` with :func:`build_trainer`) trains as the
uninterrupted run: the checkpoint holds the random states (torch, numpy,
python, the training loader's generator), which Lightning does not keep."""
import random

import numpy as np
import pytest
import torch
from torch_geometric.loader import DataLoader

from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.training import build_trainer, seed_everything
from pyg_fusion.training.node import NodeClassification, single_graph_loader
from pyg_fusion.training.seeding import RandomStates
from pyg_fusion.training.vad import IndexedDataset, WeaklySupervisedVAD
from test_training_node import _toy_graph


def _node():
    loader = single_graph_loader(_toy_graph())

    def make():  # dropout draws from torch's global generator
        return NodeClassification(build_model("lego", "node", {"a": 4, "b": 3}, num_classes=3,
                                              k=5, hidden_channels=16, dropout=0.5))
    return make, lambda: (loader, loader)


def _vad(root):
    train = SyntheticVAD(root, "train", num_videos=(8, 7), snippets=(16, 24), num_segments=8,
                         log=False)
    inch = {s: int(train[0][f"x_{s}"].size(1)) for s in train[0].sources}

    def loaders():  # the batches' order draws from the loader's own generator, as fit_vad's
        return (DataLoader(IndexedDataset(train), batch_size=4, shuffle=True,
                           generator=torch.Generator().manual_seed(0)),
                DataLoader(IndexedDataset(train), batch_size=4))
    return lambda: WeaklySupervisedVAD(build_model("lego", "vad", inch, num_segments=8)), loaders


# Lightning before 2.5.3 makes the resumed epoch's iterator twice (one draw
# more, which RandomStates undoes): exact on both sides of that release
@pytest.mark.parametrize("task", ["node", "vad"])
def test_a_resumed_run_trains_as_the_uninterrupted_one(task, tmp_path):
    # before: the resumed run drew from the trainer's fresh seed (other dropout
    # masks and sampled pairs, the first epoch's batch order again): other weights
    make, loaders = _node() if task == "node" else _vad(str(tmp_path / "svad"))
    ckpt = tmp_path / "cut" / "checkpoints" / "last.ckpt"
    tasks = {}
    for name, folder, epochs, resume in (("whole", "whole", 4, None), ("cut", "cut", 2, None),
                                         ("resumed", "cut", 4, ckpt)):
        seed_everything(0)
        tasks[name] = make()
        trainer = build_trainer(tmp_path / folder, max_epochs=epochs, seed=0, progress=False,
                                num_sanity_val_steps=0)
        trainer.fit(tasks[name], *loaders(), ckpt_path=resume)
    whole, resumed = tasks["whole"].state_dict(), tasks["resumed"].state_dict()
    assert all(torch.equal(whole[k], resumed[k]) for k in whole)
    assert not all(torch.equal(whole[k], v) for k, v in tasks["cut"].state_dict().items())
    # the states are plain values: the project's weights_only loads read the checkpoint
    saved = torch.load(ckpt, weights_only=True)["callbacks"]["RandomStates"]
    assert set(saved) == {"torch", "cuda", "numpy", "python", "loaders"}


def test_the_random_states_come_back_as_saved():
    seed_everything(3)
    np.random.normal()  # numpy keeps the pair's second normal for the next draw
    kept = RandomStates()
    state = kept.state_dict()
    want = (torch.rand(3), np.random.normal(size=3), random.random())
    seed_everything(4)
    kept.load_state_dict(state)

    class Trainer:  # what on_fit_start reads of a trainer that was given no loaders
        fit_loop, world_size, global_rank = None, 1, 0
    kept.on_fit_start(Trainer(), None)
    got = (torch.rand(3), np.random.normal(size=3), random.random())
    assert torch.equal(got[0], want[0]) and np.array_equal(got[1], want[1])
    assert got[2] == want[2]
