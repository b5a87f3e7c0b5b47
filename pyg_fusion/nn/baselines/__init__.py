"""Baselines of LEGO's comparisons: feature-level fusion, graph-level fusion
(no powers, no learned operator), a compact MTN-style temporal network, and a
GCN on a given graph."""
from .feature import FEATURE_MODES, FeatureFusion, feature_fuse
from .gcn import GCN
from .graph import GRAPH_MODES, GraphFusion, graph_fuse_dense, graph_fuse_sparse
from .mtn import MTN

__all__ = ["FEATURE_MODES", "FeatureFusion", "feature_fuse", "GRAPH_MODES",
           "GraphFusion", "graph_fuse_dense", "graph_fuse_sparse", "MTN", "GCN"]
