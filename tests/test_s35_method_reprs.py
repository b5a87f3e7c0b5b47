"""Session 35: a printed method model shows the options that none of its
sub-modules' printouts shows (PyG's style, as the layers print theirs)."""
from pyg_fusion.methods.node import (NodeAsymShuffle, NodeFeatureFusion, NodeGCN,
                                     NodeGraphFusion, NodeLEGO)
from pyg_fusion.methods.vad import VADGraphFusion, VADLEGO

IN = {"a": 3, "b": 5, "c": 2}


def _first_lines(model):
    # the module's own line and its extra_repr line
    return "\n".join(repr(model).splitlines()[:2])


def test_the_method_models_print_their_graph_options():
    # before: "NodeGraphFusion(" then its head, whatever its mode, k or
    # graph_sources; NodeGCN, NodeFeatureFusion and NodeAsymShuffle hid k
    assert "mode='product', k=4, graph_sources=['a', 'c'], features='none'" in _first_lines(
        NodeGraphFusion(IN, 3, mode="product", k=4, graph_sources=["a", "c"],
                        features="none", num_nodes=6))
    assert "mode='mean', k=10\n" in repr(NodeGraphFusion(IN, 3)) + "\n"
    assert "  k=7\n" in repr(NodeGCN(IN, 3, k=7))
    assert "  k=7\n" in repr(NodeFeatureFusion(IN, 3, k=7))
    assert "  k=7\n" in repr(NodeAsymShuffle(IN, 3, k=7, hidden_channels=8))
    assert "  features='labels'\n" in repr(NodeLEGO(IN, 3, features="labels"))
    assert repr(NodeLEGO(IN, 3)).splitlines()[1].startswith("  (lego): LEGO(")


def test_the_vad_models_print_their_options():
    assert "  center=True, branch_detach=True, branch_scale=0.5\n" in repr(
        VADLEGO(IN, 6, center=True, head="graph", branch_detach=True, branch_scale=0.5))
    assert repr(VADLEGO(IN, 6)).splitlines()[1].startswith("  (lego): LEGO(")
    assert "  mode='concat', center=True\n" in repr(VADGraphFusion(IN, 6, mode="concat",
                                                                   center=True))
