"""A run resumed from its checkpoint trains as the uninterrupted one also
when its loaders keep their workers (``persistent_workers=True``, which
Lightning advises): such a loader makes its workers once, drawing their
base seed from torch's generator, and a resumed run made them again."""
import pytest
import torch
from torch_geometric.loader import DataLoader

from pyg_fusion.methods import build_model
from pyg_fusion.training import build_trainer, seed_everything
from pyg_fusion.training.node import NodeClassification
from test_training_node import _toy_graph


@pytest.mark.parametrize("persistent", ["train", "val"])
def test_a_run_of_persistent_workers_resumes_as_the_whole_run(tmp_path, persistent):
    # before: other dropout masks from the resumed epoch on (a train loader's
    # workers made again; a val loader's at its first validation)
    graph = _toy_graph()

    def loader(kind):
        return DataLoader([graph], batch_size=1, num_workers=1,
                          persistent_workers=kind == persistent)
    ckpt = tmp_path / "cut" / "checkpoints" / "last.ckpt"
    tasks = {}
    for name, folder, epochs, resume in (("whole", "whole", 3, None), ("cut", "cut", 1, None),
                                         ("resumed", "cut", 3, ckpt)):
        seed_everything(0)
        tasks[name] = NodeClassification(build_model(
            "graph-mean", "node", {"a": 4, "b": 3}, num_classes=3, k=5, dropout=0.5))
        trainer = build_trainer(tmp_path / folder, max_epochs=epochs, seed=0, progress=False,
                                num_sanity_val_steps=0)
        trainer.fit(tasks[name], loader("train"), loader("val"), ckpt_path=resume)
    whole, resumed = tasks["whole"].state_dict(), tasks["resumed"].state_dict()
    assert all(torch.equal(whole[k], resumed[k]) for k in whole)
    assert tasks["whole"].history == tasks["resumed"].history
