"""A saved spec passes the checks of a spec built from options, and an
explicit None means what the option documents for it or is refused."""
import pytest

from pyg_fusion.specs import MethodSpec, check_options


@pytest.mark.parametrize("comp, name, value, message", [
    ("head", "center", 1, "center must be True or False, got 1"),
    ("trainer", "epochs", -3, "epochs must be an int >= 1"),
    ("head", "row_order", "bogus", "row_order must be one of"),
    ("trainer", "epochs", None, "epochs must be an int >= 1, got None"),
    ("head", "bogus", 1, r"unknown option\(s\) \['bogus'\]"),
])
def test_from_dict_checks_a_saved_specs_values(comp, name, value, message):
    saved = MethodSpec.create("lego", "vad").to_dict()
    saved[comp][name] = value
    with pytest.raises(ValueError, match=r"saved spec \(lego, vad\): " + message):
        MethodSpec.from_dict(saved)


def test_from_dict_refuses_a_field_in_another_component_or_a_node_auto_start():
    saved = MethodSpec.create("lego", "node").to_dict()
    saved["head"]["epochs"] = saved["trainer"].pop("epochs")
    with pytest.raises(ValueError, match=r"head\.epochs"):
        MethodSpec.from_dict(saved)
    saved = MethodSpec.create("lego", "node").to_dict()
    saved["fusion"]["init"] = "auto"
    with pytest.raises(ValueError, match="--init auto is a VAD option"):
        MethodSpec.from_dict(saved)
    with pytest.raises(ValueError, match="a saved spec is a dict"):
        MethodSpec.from_dict({"method": "lego"})


def test_valid_saved_specs_still_load():
    for task in ("node", "vad"):
        for method in ("lego", "lego-cp", "graph-mean", ""):
            spec = MethodSpec.create(method, task)
            assert MethodSpec.from_dict(spec.to_dict()) == spec
    # a node spec holds the VAD options at the defaults of its time: not refused
    saved = MethodSpec.create("lego", "node").to_dict()
    saved["objective"]["val_fraction"] = 0.0
    assert MethodSpec.from_dict(saved).objective.val_fraction == 0.0


def test_an_explicit_none_is_the_options_none_or_refused():
    # branch_dropout=None is "--dropout", not VAD's 0.1; patience=None never stops
    spec = MethodSpec.create("lego", "vad", {"branch_dropout": None, "patience": None})
    assert spec.head.branch_dropout is None and spec.trainer.patience is None
    assert MethodSpec.create("lego", "node", {"k": None}).graph.k is None
    with pytest.raises(ValueError, match="epochs must be an int >= 1, got None"):
        MethodSpec.create("lego", "vad", {"epochs": None})
    with pytest.raises(ValueError, match="row_order must be one of"):
        check_options("vad", {"row_order": None})
    with pytest.raises(ValueError, match="hidden_channels=None"):
        check_options("node", {"hidden_channels": None})
    # never stopping early reads no held-out videos
    assert check_options("vad", {"patience": None, "val_fraction": 0.0}, ["lego"])["patience"] \
        is None


def test_a_spec_built_in_python_passes_the_same_checks():
    from pyg_fusion.specs import HeadConfig, TrainerConfig
    with pytest.raises(ValueError, match="center must be True or False, got 1"):
        MethodSpec("lego", "vad", head=HeadConfig(center=1))
    with pytest.raises(ValueError, match="hidden_channels=None"):
        MethodSpec("lego", "node", head=HeadConfig(hidden_channels=None))
    with pytest.raises(ValueError, match="epochs must be an int >= 1"):
        MethodSpec("lego", "node", trainer=TrainerConfig(epochs=0))
    assert MethodSpec("lego", "node").head.center is False
