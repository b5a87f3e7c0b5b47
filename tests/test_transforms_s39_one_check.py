"""RelationGraphs checked each source's features twice (three times with
support='shared'): under the data's name in the transform, then again in
relation_pairs (and shared_support_graphs) under the functional's names,
where those checks could no longer fail. Each source is now scanned once;
the errors still name the data's attribute."""
import pytest
import torch

from pyg_fusion.data import MultiSourceData
from pyg_fusion.transforms import RelationGraphs


def _data():
    g = torch.Generator().manual_seed(0)
    return MultiSourceData(x_a=torch.randn(12, 4, generator=g),
                           x_b=torch.randn(12, 3, generator=g))


@pytest.mark.parametrize("support", ["own", "shared"])
def test_each_source_is_scanned_once(monkeypatch, support):
    data = _data()
    ptrs = {data[f"x_{s}"].data_ptr(): s for s in ("a", "b")}
    scans = []
    aminmax = torch.aminmax

    def counted(x, *args, **kwargs):
        if x.data_ptr() in ptrs:
            scans.append(ptrs[x.data_ptr()])
        return aminmax(x, *args, **kwargs)
    monkeypatch.setattr(torch, "aminmax", counted)
    out = RelationGraphs(k=3, support=support, metric="rbf")(data)
    assert sorted(scans) == ["a", "b"]
    assert out.edge_index_a.size(1) >= 12 * 3 and out.edge_weight_b.dim() == 1


@pytest.mark.parametrize("support", ["own", "shared"])
def test_the_errors_name_the_datas_attribute(support):
    data = _data()
    data.x_b[2, 1] = float("nan")
    with pytest.raises(ValueError, match=r"RelationGraphs: data\.x_b contains 1 NaN or Inf"):
        RelationGraphs(k=3, support=support)(data)
    data = _data()
    data.x_a = torch.randn(12, 0)
    with pytest.raises(ValueError, match=r"RelationGraphs: data\.x_a has feature width 0"):
        RelationGraphs(k=3, support=support)(data)
