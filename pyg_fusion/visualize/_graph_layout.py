"""Where the node-link drawing of :mod:`.graph` puts its nodes (the spring,
circular and temporal layouts, or the caller's ``pos``) and the arcs its
temporal layout draws edges as."""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import networkx as nx

from .._option_rules import is_int

from ._common import per_node, to_numpy
from ._node_order import sort_within


def _positions(n, edges, weights, *, layout, pos, time, seed, groups=None) -> np.ndarray:
    # checked whatever the layout: time stamps of another graph, passed with a
    # layout that does not read them, were taken silently
    t = per_node("time", time, n)
    if isinstance(pos, Mapping):
        pos = _listed(pos, n)
    if pos is not None:
        coords = to_numpy("pos", pos, dims=(2, ))
        if coords.shape != (n, 2):
            raise ValueError(f"pos must have shape [{n}, 2], got {tuple(coords.shape)}")
        return coords
    if layout == "temporal":
        if t is None:
            return np.stack([np.arange(n, dtype=float), np.zeros(n)], axis=1)
        rank = np.empty(n)
        # a Batch's graphs one after the other, each in its own time order
        rank[sort_within(t, groups)] = np.arange(n)
        return np.stack([rank, np.zeros(n)], axis=1)
    g = nx.Graph()
    g.add_nodes_from(range(n))
    if layout == "circular":  # places the nodes alone: no edges to build
        p = nx.circular_layout(g)
    else:
        g.add_weighted_edges_from((int(i), int(j), float(abs(x)))
                                  for (i, j), x in zip(edges, weights))
        p = nx.spring_layout(g, weight="weight", seed=seed)
    return np.array([p[i] for i in range(n)], dtype=float).reshape(n, 2)


def _listed(pos: Mapping, n: int) -> list:
    """A networkx layout's ``{node: (x, y)}`` as the ``[N, 2]`` rows of nodes
    ``0 .. N-1`` ('got dict' was all it said)."""
    missing = [i for i in range(n) if i not in pos]
    if missing or len(pos) != n:
        extra = [k for k in pos if not (is_int(k) and 0 <= k < n)]
        raise ValueError(f"pos as a dict must hold the position of each node 0..{n - 1} "
                         f"(missing {missing[:5]}, other keys {extra[:5]}): for a graph "
                         f"converted by from_networkx(g), give [pos[v] for v in g.nodes] "
                         f"(its node i is list(g.nodes)[i])")
    return [pos[i] for i in range(n)]


def _arcs(coords: np.ndarray, edges: np.ndarray, below: np.ndarray | None = None,
          num: int = 24) -> np.ndarray:
    """The ``[E, num, 2]`` arcs of ``edges`` (rows ``(i, j)``) between nodes at
    ``coords``: half-ellipses above the time axis (below where ``below``
    says so), their height half their time span, so that long-range
    relations stand out. One array for all edges: an arc at a time took
    seconds per 1e5 edges."""
    x, y = coords[edges[:, 0], 0], coords[edges[:, 1], 0]
    x0, x1 = np.minimum(x, y)[:, None], np.maximum(x, y)[:, None]
    t = np.linspace(0, np.pi, num)
    centre, half = (x0 + x1) / 2, (x1 - x0) / 2
    sign = np.where(below, -1.0, 1.0)[:, None] if below is not None else 1
    return np.stack([centre - half * np.cos(t), sign * half * np.sin(t)], axis=2)
