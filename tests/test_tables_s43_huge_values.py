"""A view of values whose squares overflow float64 (|x| > ~1e154) is z-scored
as the same view at unit scale: its standard deviation was Inf, and every row
0 (a constant view, silently), under the tables' standardisation."""
import numpy as np
import torch

from pyg_fusion.datasets import MultiViewTables
from pyg_fusion.datasets.standardize import zscore_columns


def test_zscore_of_huge_columns_is_that_of_the_same_columns_scaled_down():
    x = torch.randn(50, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    big = torch.cat([x[:, :1], x[:, 1:] * 1e300], dim=1)  # column 0 keeps its scale
    z = zscore_columns(big)
    assert torch.isfinite(z).all()
    torch.testing.assert_close(z, zscore_columns(x), rtol=0, atol=1e-12)
    assert torch.equal(z[:, 0], zscore_columns(x)[:, :1].view(-1))


def test_a_tables_view_of_huge_values_reads_as_at_unit_scale(tmp_path):
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(30, 4)), rng.normal(size=(30, 2))
    np.save(tmp_path / "a.npy", a)
    np.save(tmp_path / "a_big.npy", a * 1e300)
    np.save(tmp_path / "b.npy", b)
    np.savetxt(tmp_path / "y.csv", np.repeat(["x", "y", "z"], 10), fmt="%s")
    views = {}
    for name in ("a", "a_big"):
        ds = MultiViewTables(str(tmp_path / f"root_{name}"),
                             {"a": str(tmp_path / f"{name}.npy"), "b": str(tmp_path / "b.npy")},
                             str(tmp_path / "y.csv"), standardize=True, log=False)
        views[name] = ds[0].x_a
    assert float(views["a_big"].std()) > 0.5  # was all 0
    torch.testing.assert_close(views["a_big"], views["a"], rtol=0, atol=1e-6)
