"""Figures of pyg_fusion (matplotlib + networkx).

Every function returns the :class:`matplotlib.figure.Figure`, draws into the
given ``ax`` when there is one, and writes a PNG, PDF or SVG (by the suffix;
atomically) when given a ``path`` (a figure it made is then closed in pyplot,
so that saving many keeps none open; without ``path`` it stays open for
``plt.show()``).
Figures speak the paper's terms: :math:`R_m^p` for the ``p``-th
power of source ``m``'s relation graph, :math:`A[p, q]` for the fusion
operator and :math:`G` for the fused graph.
"""
from .adjacency import plot_adjacency
from .anomaly import plot_anomaly_scores
from .benchmark import crossover, load_benchmark, plot_sparse_vs_dense
from ._edges import select_edges
from .graph import plot_relation_graph
from .operator import plot_fusion_operator
from .powers import plot_power_expansion
from .results import plot_results
from .sensitivity import load_pq_grid, plot_pq_sensitivity

__all__ = [
    "plot_relation_graph",
    "plot_adjacency",
    "plot_power_expansion",
    "plot_fusion_operator",
    "plot_pq_sensitivity",
    "plot_anomaly_scores",
    "plot_sparse_vs_dense",
    "plot_results",
    "select_edges",
    "load_pq_grid",
    "load_benchmark",
    "crossover",
]
