"""A printed model shows every argument its layers were built with, so that
two models that print alike are built alike (PyG's style: positional widths
first, then the keywords)."""
from pyg_fusion.nn import GraphHead, LabelPropagationHead, RowHead
from pyg_fusion.nn.baselines import GCN, MTN


def test_heads_and_baselines_print_their_width_dropout_and_scale():
    assert repr(GraphHead(3, 8, 2, num_layers=3, dropout=0.1)) == (
        "GraphHead(3, 2, hidden_channels=8, num_layers=3, dropout=0.1)")
    assert repr(GCN(3, 8, 2, dropout=0.0)) == (
        "GCN(3, 2, hidden_channels=8, num_layers=2, dropout=0.0)")
    assert repr(MTN(3, 4, dropout=0.3)) == "MTN(3, 4, dilations=(1, 2, 4), dropout=0.3)"
    assert repr(RowHead(5, 4, dropout=0.2, row_norm="max")) == (
        "RowHead(num_nodes=5, hidden_channels=4, dropout=0.2, row_norm='max')")
    assert repr(RowHead(5)) == "RowHead(num_nodes=5, hidden_channels=5)"
    assert repr(LabelPropagationHead(5, 0.6, scale=2.5)) == (
        "LabelPropagationHead(num_layers=5, alpha=0.6, symmetric=True, scale=2.5)")
    assert repr(LabelPropagationHead(5, 0.6)) == (
        "LabelPropagationHead(num_layers=5, alpha=0.6, symmetric=True)")
