"""Pure functions on tensors: the LEGO operators (relationship graphs, graph
powers, fusion, coarsening, the degree-variance loss) and the AsymFusion
exchanges. Every operator with a dense and a sparse form gives the same
numbers in both (tested)."""
from .relation import dense_relation_graph, dense_topk, pair_similarity, relation_graph
from .powers import dense_graph_powers, dense_normalize, graph_powers, normalize
from .fuse import lego_fuse, lego_fuse_cp, lego_fuse_cp_sparse, lego_fuse_sparse
from .coarsen import coarsen, dense_coarsen
from .label_prop import dense_label_propagation, label_propagation, seed_labels
from .loss import degree_variance_loss, dense_graph_degrees, graph_degrees
from .asym import channel_shuffle, edge_shift, pixel_shift, shift_groups, temporal_shift  # noqa: F401
