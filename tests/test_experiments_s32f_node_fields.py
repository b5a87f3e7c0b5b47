"""A node run passes every trainer field the node task reads to fit_node by
its name, as a VAD run passes its fields to fit_vad (7a78b13): a new trainer
field needs its component and its config only. The VAD-only fields (their
help names VAD first) are not passed."""
import dataclasses
import inspect
from types import SimpleNamespace

from pyg_fusion.experiments import run
from pyg_fusion.specs.method_spec import MethodSpec
from pyg_fusion.specs.options import option


def test_a_node_run_passes_every_node_trainer_field(monkeypatch, tmp_path):
    import pyg_fusion.methods as methods
    import pyg_fusion.training.node as node
    got = {}
    monkeypatch.setattr(node, "fit_node", lambda model, graph, **kw: got.update(kw) or kw)
    monkeypatch.setattr(methods, "build_spec", lambda spec, dims: dims)
    spec = MethodSpec.create("lego", "node", {"epochs": 3, "lr": 0.02, "weight_decay": 0.0,
                                              "eval_every": 2})
    extra = dataclasses.make_dataclass(
        "Trainer", [("new_setting", int, option(11, "a node setting")),
                    ("vad_setting", int, option(5, "VAD: a setting of the other task"))],
        bases=(type(spec.trainer), ))
    spec.trainer = extra(**dataclasses.asdict(spec.trainer))
    td = SimpleNamespace(in_channels={"a": 2}, num_classes=3, graph=SimpleNamespace(num_nodes=4))
    run._fit_node(td, spec, {"k": 1}, 7, tmp_path, devices=1, accelerator="cpu",
                  progress=False, checkpoint=False)
    assert {k: got[k] for k in ("epochs", "lr", "weight_decay", "eval_every")} == {
        "epochs": 3, "lr": 0.02, "weight_decay": 0.0, "eval_every": 2}
    assert got["new_setting"] == 11 and "vad_setting" not in got
    assert got["seed"] == 7 and got["config"] == {"k": 1} and got["out_dir"] == tmp_path
    # none of the VAD fields reaches fit_node, and the node fields are its arguments
    assert not any(k in got for k in ("batch_size", "patience", "restarts", "operator_lr"))
    monkeypatch.undo()
    takes = inspect.signature(node.fit_node).parameters
    assert set(got) - {"new_setting"} <= set(takes)
