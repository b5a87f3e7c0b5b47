r"""A seeded generator of features with the structure of real embeddings, for
benchmarks of neighbour search and of sparse LEGO at scale.

Real embeddings (of patches, tokens, frames) concentrate near a
low-dimensional subspace and form clusters; iid Gaussian features have no
structure at all, which makes them the worst case of approximate search
(every point is about equally far from every other). Here unit :math:`i`
belongs to cluster :math:`z_i` (uniform over ``num_clusters``) and

.. math::
    f_i = U (c_{z_i} + \sigma_c\, \epsilon_i) + \sigma_n\, \eta_i,

with :math:`U \in \mathbb{R}^{d \times s}` a random orthonormal basis of an
``s``-dimensional subspace, centres :math:`c_j \sim \mathcal{N}(0, I_s)`,
:math:`\epsilon_i \sim \mathcal{N}(0, I_s)` the spread within a cluster and
:math:`\eta_i \sim \mathcal{N}(0, I_d)` noise off the subspace.
"""
from __future__ import annotations

import torch
from torch import Tensor

from .._option_rules import check_rule, is_int
from ..functional._checks import check_int

__all__ = ["clustered_features"]


def clustered_features(num_units: int, dim: int = 128, *, num_clusters: int = 64,
                       subspace: int = 16, cluster_std: float = 0.5,
                       noise_std: float = 0.05, seed: int = 0,
                       dtype: torch.dtype = torch.float32) -> Tensor:
    r"""Features ``[num_units, dim]`` from a mixture of clusters on a subspace
    (see the module docstring); the same ``seed`` gives the same features.

    Args:
        num_units (int): :math:`N`.
        dim (int, optional): feature width :math:`d`. (default: ``128``)
        num_clusters (int, optional): mixture components. (default: ``64``)
        subspace (int, optional): dimension :math:`s \le d` of the subspace
            holding the clusters. (default: ``16``)
        cluster_std (float, optional): :math:`\sigma_c`, the spread within a
            cluster relative to the unit spread of the centres.
            (default: ``0.5``)
        noise_std (float, optional): :math:`\sigma_n`, per-coordinate noise
            off the subspace. (default: ``0.05``)
        seed (int, optional): seed of a private generator (the global RNG is
            not touched). (default: ``0``)
        dtype (torch.dtype, optional): (default: ``torch.float32``)
    """
    num_units, dim, num_clusters, subspace = (
        check_int(name, value, minimum=1) for name, value in (
            ("num_units", num_units), ("dim", dim), ("num_clusters", num_clusters),
            ("subspace", subspace)))
    if subspace > dim:
        raise ValueError(f"subspace must be <= dim ({dim}), got {subspace}")
    for name, value in (("cluster_std", cluster_std), ("noise_std", noise_std)):
        # NaN passed '< 0' and made every feature NaN
        check_rule(name, "nonneg_float", value)
    # torch's seeds; a float was torch's 'manual_seed expected a long'
    if not is_int(seed) or not -2 ** 63 <= seed < 2 ** 64:
        raise ValueError(f"seed must be an int in [-2**63, 2**64) (torch's seeds), got {seed!r}")
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        # an integer dtype truncated the features to a few integers
        raise ValueError(f"dtype must be a floating-point torch.dtype, got {dtype!r}")
    # numpy's scalars as Python numbers: a numpy scalar times a tensor is numpy's to compute
    cluster_std, noise_std, seed = float(cluster_std), float(noise_std), int(seed)
    g = torch.Generator().manual_seed(seed)
    basis = torch.linalg.qr(torch.randn(dim, subspace, generator=g, dtype=torch.float64))[0]
    centres = torch.randn(num_clusters, subspace, generator=g, dtype=torch.float64)
    z = torch.randint(num_clusters, (num_units, ), generator=g)
    local = centres[z] + cluster_std * torch.randn(num_units, subspace, generator=g,
                                                   dtype=torch.float64)
    x = local @ basis.t() + noise_std * torch.randn(num_units, dim, generator=g,
                                                    dtype=torch.float64)
    return x.to(dtype)
