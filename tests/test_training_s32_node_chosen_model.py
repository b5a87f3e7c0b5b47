"""fit_node returns the task and model of the epoch it reports, as fit_vad
does: their predictions are best.ckpt's, loaded back, to the bit (before, the
last epoch's model, whose test accuracy was not the one returned)."""
import torch

from pyg_fusion.methods import build_model
from pyg_fusion.training import seed_everything
from pyg_fusion.training.node import NodeClassification, fit_node, single_graph_loader

from test_training_node import _toy_graph


def _model():
    return build_model("lego", "node", {"a": 4, "b": 3}, num_classes=3, k=5,
                       hidden_channels=16)


def test_fit_node_returns_the_model_of_the_epoch_it_reports(tmp_path):
    data = _toy_graph()
    seed_everything(1)
    model = _model()
    # lr 0.05: validation accuracy peaks at epoch 7 of 30 on this graph
    r = fit_node(model, data, out_dir=tmp_path, epochs=30, eval_every=1, seed=1,
                 progress=False, lr=0.05)
    task, loader = r["task"], single_graph_loader(data)
    assert r["epoch"] < 29 and task.model is model
    pred = torch.cat(r["trainer"].predict(task, loader))
    test = data.test_mask
    correct = (pred.argmax(-1)[test] == data.y[test]).sum().item()
    assert correct / int(test.sum()) == r["test_acc"] == task.best["test_acc"]
    loaded = NodeClassification.load_from_checkpoint(tmp_path / "checkpoints" / "best.ckpt",
                                                     model=_model())
    assert torch.equal(torch.cat(r["trainer"].predict(loaded, loader)), pred)
    # last.ckpt keeps the last epoch trained
    last = torch.load(tmp_path / "checkpoints" / "last.ckpt", weights_only=True)["state_dict"]
    assert not all(torch.equal(last[k], v) for k, v in task.state_dict().items())
