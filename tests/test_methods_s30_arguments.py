"""The registry's models as a user builds them directly: an argument that
cannot be used is named when the model is built, by its own name (not by
the name a sub-module gives it, nor at the first forward), and none is
silently replaced."""
import re

import pytest

from pyg_fusion.methods.node import (NodeAsymShuffle, NodeFeatureFusion, NodeGCN,
                                     NodeGraphFusion)
from pyg_fusion.methods.vad import VADMTN, VADFeatureFusion, VADGraphFusion

IN = {"a": 3, "b": 5}


@pytest.mark.parametrize("build, message", [
    # hidden_channels=0 was read as None: a head of 32, silently
    (lambda: VADFeatureFusion(IN, 6, hidden_channels=0), "hidden_channels must be >= 1, got 0"),
    (lambda: VADMTN(IN, 6, hidden_channels=0), "hidden_channels must be >= 1, got 0"),
    (lambda: VADGraphFusion(IN, 6, hidden_channels=0), "hidden_channels must be >= 1, got 0"),
    # named by the sub-module's arguments: "hidden_channels" (MTN), "channels"
    (lambda: VADMTN(IN, 6, mtn_channels=0), "mtn_channels must be >= 1, got 0"),
    (lambda: NodeAsymShuffle(IN, 3, hidden_channels=4), "hidden_channels must be >= 5, got 4"),
    # torch's "dropout probability has to be between 0 and 1"
    (lambda: VADFeatureFusion(IN, 6, dropout=2.0), "dropout must be a number in [0, 1), got 2.0"),
    # errors at the first forward (inside a Trainer), not where they were given
    (lambda: NodeGraphFusion(IN, 3, mode="sum"),
     "mode must be one of ('single', 'concat', 'add', 'mean', 'product'), got 'sum'"),
    (lambda: VADGraphFusion(IN, 6, mode="sum"),
     "mode must be one of ('single', 'concat', 'add', 'mean', 'product'), got 'sum'"),
    (lambda: NodeGraphFusion(IN, 3, graph_sources=["c"]),
     "graph_sources ['c'] are not sources of in_channels ['a', 'b']"),
    (lambda: NodeGraphFusion(IN, 3, k=0), "k must be >= 1, got 0"),
    (lambda: NodeFeatureFusion(IN, 3, k=0), "k must be >= 1, got 0"),
    (lambda: NodeGCN(IN, 3, k=-1), "k must be >= 1, got -1"),
])
def test_a_bad_argument_is_named_when_the_model_is_built(build, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        build()


def test_the_defaults_and_none_still_build():
    assert VADFeatureFusion(IN, 6).head[0].out_features == 32
    assert VADMTN(IN, 6, hidden_channels=None).head[0].out_features == 32
    assert NodeFeatureFusion(IN, 3, k=None).k is None
    assert NodeGraphFusion(IN, 3, mode="single", graph_sources=["b"]).graph_sources == ["b"]
