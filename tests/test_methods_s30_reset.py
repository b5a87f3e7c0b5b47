"""Every model of the method registry (``pyg_fusion.methods.node`` and
``pyg_fusion.methods.vad``) has PyG's ``reset_parameters``, and a reset is a
fresh build: after ``torch.manual_seed(s); model.reset_parameters()`` the
model holds what ``torch.manual_seed(s)`` and a new build hold (VADLEGO's
GraphHead branch starts at zero again), and the generator is where the
build left it. So has the ensemble of a VAD run's restarts (RestartEnsemble),
which holds such models."""
import pytest
import torch

from pyg_fusion.methods.node import (NodeAsymShuffle, NodeFeatureFusion, NodeGCN,
                                     NodeGraphFusion, NodeHead, NodeLEGO)
from pyg_fusion.methods.vad import VADMTN, VADFeatureFusion, VADGraphFusion, VADLEGO
from pyg_fusion.training.vad_ensemble import RestartEnsemble

IN = {"a": 3, "b": 5}
BUILDS = {
    "NodeLEGO": lambda: NodeLEGO(IN, 3, hidden_channels=4),
    "NodeLEGO, projections, CP": lambda: NodeLEGO(IN, 3, hidden_channels=4, fusion="cp",
                                                 rank=2, proj_channels=4),
    "NodeLEGO, features='none'": lambda: NodeLEGO(IN, 3, hidden_channels=4, features="none",
                                                  num_nodes=7),
    "NodeLEGO, features='labels'": lambda: NodeLEGO(IN, 3, features="labels"),
    "NodeFeatureFusion": lambda: NodeFeatureFusion(IN, 3, mode="add", proj_channels=4,
                                                   hidden_channels=4),
    "NodeGraphFusion, concat": lambda: NodeGraphFusion(IN, 3, mode="concat", hidden_channels=4),
    "NodeGraphFusion": lambda: NodeGraphFusion(IN, 3, hidden_channels=4),
    "NodeGCN": lambda: NodeGCN(IN, 3, hidden_channels=4),
    "NodeAsymShuffle": lambda: NodeAsymShuffle(IN, 3, hidden_channels=8),
    "NodeHead": lambda: NodeHead(4, 4, 3),
    "VADLEGO": lambda: VADLEGO(IN, 6),
    "VADLEGO, GraphHead branch, projections": lambda: VADLEGO(IN, 6, head="graph",
                                                              proj_channels=3),
    "VADLEGO, full operator": lambda: VADLEGO(IN, 6, fusion="full"),
    "VADGraphFusion, concat": lambda: VADGraphFusion(IN, 6, mode="concat"),
    "VADFeatureFusion": lambda: VADFeatureFusion(IN, 6, mode="add", proj_channels=4),
    "VADMTN": lambda: VADMTN(IN, 6, mtn_channels=8),
    # before: no reset_parameters (AttributeError)
    "RestartEnsemble": lambda: RestartEnsemble([VADLEGO(IN, 6, head="graph"), VADLEGO(IN, 6),
                                                VADMTN(IN, 6, mtn_channels=8)]),
}


@pytest.mark.parametrize("name", list(BUILDS))
def test_reset_parameters_gives_a_fresh_build(name):
    torch.manual_seed(3)
    want = BUILDS[name]().state_dict()
    after_build = torch.rand(4)
    torch.manual_seed(3)
    model = BUILDS[name]()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(1.0)
    torch.manual_seed(3)
    model.reset_parameters()
    got = model.state_dict()
    assert got.keys() == want.keys()
    for key in want:
        assert torch.equal(got[key], want[key]), key
    assert torch.equal(torch.rand(4), after_build)  # the same draws, no more


def test_every_registry_model_class_resets():
    import pyg_fusion.methods.node as node
    import pyg_fusion.methods.vad as vad
    classes = [getattr(m, n) for m in (node, vad) for n in m.__all__
               if isinstance(getattr(m, n), type)]
    assert len(classes) >= 10
    assert all(callable(getattr(c, "reset_parameters", None)) for c in classes)
