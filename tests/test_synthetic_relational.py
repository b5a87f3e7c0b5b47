import pytest
import torch
import torch.nn.functional as F

from pyg_fusion.datasets import SyntheticVAD

KW = dict(num_videos=(4, 16), snippets=(24, 48), num_segments=None, log=False)


def _cosines(ds, source):
    """Mean cosine of anomalous snippets to each other, of anomalous to normal
    snippets, and of normal snippets to each other, over the abnormal test
    videos."""
    aa, an, nn = [], [], []
    for i in range(len(ds)):
        d = ds[i]
        if int(d.y) == 0:
            continue
        gt = d.frame_gt.view(-1, int(d.snippet_len))[:, 0].bool()
        x = F.normalize(d[f"x_{source}"], dim=1)
        c = x @ x.T
        off = ~torch.eye(gt.numel(), dtype=torch.bool)
        aa.append(c[gt][:, gt][off[gt][:, gt]].mean())
        an.append(c[gt][:, ~gt].mean())
        nn.append(c[~gt][:, ~gt][off[~gt][:, ~gt]].mean())
    return [float(torch.stack(v).mean()) for v in (aa, an, nn)]


def test_default_data_unchanged_by_the_option(tmp_path):
    plain = SyntheticVAD(str(tmp_path), "test", **KW)
    off = SyntheticVAD(str(tmp_path), "test", relational_shift=0.0, **KW)
    assert plain.tag == off.tag  # same options, same files
    assert "relational_shift" not in plain.gen
    on = SyntheticVAD(str(tmp_path), "test", relational_shift=4.0, **KW)
    assert on.tag != plain.tag and on.gen["relational_shift"] == 4.0


def test_relational_shift_makes_anomalies_outlier_clusters(tmp_path):
    plain = SyntheticVAD(str(tmp_path), "test", **KW)
    on = SyntheticVAD(str(tmp_path), "test", relational_shift=6.0, **KW)
    for source in ("i3d", "c3d", "swin"):
        _, an0, _ = _cosines(plain, source)
        aa, an, nn = _cosines(on, source)
        # in every source the anomalous snippets resemble each other and
        # resemble the normal ones less than the normal ones do each other,
        # and less than without the option
        assert aa - an > 0.4 and nn - an > 0.1
        assert an < an0 - 0.02


def test_relational_shift_errors(tmp_path):
    with pytest.raises(ValueError, match="relational_shift"):
        SyntheticVAD(str(tmp_path), "test", relational_shift=-1.0, **KW)
