"""``hidden_channels`` sizes every VAD head: the row heads and graph
baselines (default N, the snippets per video) and the feature heads and MTN
(default 32); checkpoints written before it did still load."""
from types import SimpleNamespace

import pytest
import torch

from pyg_fusion.experiments.checkpoints import CHECKPOINT_FORMAT, model_from_checkpoint
from pyg_fusion.methods import Dims, build_spec
from pyg_fusion.specs import MethodSpec

WIDTHS = {"a": 6, "b": 4}


def _first_width(model, method):
    if method.startswith(("lego", "graph-")):  # RowHead
        return model.head.lin1.out_features
    return model.head[0].out_features


@pytest.mark.parametrize("method", ["lego", "lego-row", "lego-cp", "graph-mean", "graph-concat",
                                    "graph-a", "feature-concat", "single-a", "mtn"])
def test_hidden_channels_reaches_every_vad_head(method):
    default = build_spec(MethodSpec.create(method, "vad", {}), Dims(WIDTHS, num_segments=20))
    given = build_spec(MethodSpec.create(method, "vad", {"hidden_channels": 12}),
                       Dims(WIDTHS, num_segments=20))
    row_head = method.startswith(("lego", "graph-"))
    assert _first_width(default, method) == (20 if row_head else 32)
    assert _first_width(given, method) == 12
    if method == "lego":  # the GraphHead branch takes the same width
        assert given.graph_head.convs[0].out_channels == 12
        assert default.graph_head.convs[0].out_channels == 20


def _legacy(method, hidden, fmt=None):
    spec = MethodSpec.create(method, "vad", {}).to_dict()
    spec["head"]["hidden_channels"] = hidden  # format 1 recorded the feature heads' 32
    cfg = {"method": method, "task": "vad", "dataset": "synthetic-vad", "spec": spec}
    if fmt is not None:
        cfg["format"] = fmt
    return cfg


@pytest.mark.parametrize("method", ["lego-row", "graph-mean", "feature-concat"])
def test_a_checkpoint_of_format_1_loads_with_the_widths_it_was_built_with(method):
    # format 1 built the row heads at width N whatever hidden_channels said
    torch.manual_seed(0)
    old = build_spec(MethodSpec.create(method, "vad", {}), Dims(WIDTHS, num_segments=20))
    state = {f"model.{k}": v for k, v in old.state_dict().items()}
    td = SimpleNamespace(task="vad", in_channels=WIDTHS,
                         train=[SimpleNamespace(num_nodes=20)])
    model = model_from_checkpoint(_legacy(method, 32), td, state)
    for k, v in old.state_dict().items():
        assert torch.equal(model.state_dict()[k], v)
    if method != "feature-concat":
        # the same record in today's format means width 32, which these weights do not fit
        with pytest.raises(ValueError, match="do not fit the model"):
            model_from_checkpoint(_legacy(method, 32, CHECKPOINT_FORMAT), td, state)
