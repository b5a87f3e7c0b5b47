r"""Pure functions on tensors: the LEGO operators (relationship graphs, graph
powers, fusion, coarsening, the degree-variance loss), the AsymFusion
exchanges, and :func:`knn_recall` (how good a kNN graph is). Every operator
with a dense and a sparse form gives the same numbers in both (tested).

Edge convention (PyG's, the one every function here follows): edge ``e``
goes from the source ``edge_index[0, e]`` to the target ``edge_index[1, e]``
and messages flow source -> target; a node aggregates over its in-edges. A
dense graph is the operator of those edges, ``adj[i, j]`` = weight of the
edge ``j -> i``, so that propagation is ``adj @ x`` and the matrices of the
papers (:math:`R`, :math:`R^p`, :math:`G`) read as written: row :math:`i` is
what node :math:`i` receives. A kNN relationship graph links each node's
``k`` nearest units *to* it (PyG's ``knn_graph`` default). The two forms
convert with :func:`edges_to_dense` and :func:`dense_to_edges` (see
``docs/methods.md``, "Conventions"). An ``edge_index`` of another integer
dtype than torch.long (int32 from torch.sparse's CSR or cuGraph), which PyG's
layers take, is taken too, widened to torch.long.

Under :class:`torch.autocast` the operators that compute (similarities,
rankings, normalisations, powers, fusion, term scales, degrees, pooling,
label propagation, edge shifts) are on autocast's float32 list: they run
with autocast disabled, their 16-bit inputs promoted to float32 when the
inputs are the mix autocast makes (float32 and its 16-bit dtype), and
return float32; operators that only move values (:func:`dense_to_edges`,
the channel shuffle and the pixel and temporal shifts) keep their inputs'
dtype. Outside autocast a dtype mix stays an error naming the argument.
"""
from .convert import dense_to_edges, edges_to_dense
from .similarity import dense_relation_graph, pair_similarity
from .relation import AUTO_EXACT_MAX_NODES, dense_topk, relation_graph, relation_pairs
from .recall import knn_recall
from .normalization import dense_normalize, normalize
from .powers import dense_graph_powers, graph_powers
from .support import dense_shared_support_graphs, shared_support, shared_support_graphs
from .fuse import lego_fuse, lego_fuse_sparse
from .fuse_cp import lego_fuse_cp, lego_fuse_cp_sparse
from .fuse_full import lego_fuse_full, lego_fuse_full_sparse
from .coarsen import coarsen, dense_coarsen
from .label_prop import (dense_label_propagation, label_propagation, seed_labels,
                         seed_prior_logits)
from .loss import degree_variance_loss, dense_graph_degrees, graph_degrees
from .asym import channel_shuffle, edge_shift, pixel_shift, shift_groups, temporal_shift  # noqa: F401

# the functions alone: the submodules (relation, loss, asym, ...) are no part
# of `import *`, where they shadowed what another package's star import
# brought (nn's star import gives nn.asym, nn.loss ...)
__all__ = [
    "dense_to_edges", "edges_to_dense", "dense_relation_graph", "pair_similarity",
    "AUTO_EXACT_MAX_NODES", "dense_topk", "relation_graph", "relation_pairs", "knn_recall",
    "dense_normalize", "normalize", "dense_graph_powers", "graph_powers",
    "dense_shared_support_graphs", "shared_support", "shared_support_graphs",
    "lego_fuse", "lego_fuse_sparse", "lego_fuse_cp", "lego_fuse_cp_sparse", "lego_fuse_full",
    "lego_fuse_full_sparse", "coarsen", "dense_coarsen", "dense_label_propagation",
    "label_propagation", "seed_labels", "seed_prior_logits", "degree_variance_loss",
    "dense_graph_degrees", "graph_degrees", "channel_shuffle", "edge_shift", "pixel_shift",
    "shift_groups", "temporal_shift",
]
