"""A VAD fit whose videos carry an int domain (``data.domain = 0``, which
check_test_videos accepts) reaches its test scores: the test pass read the
domain as a tensor (``data.domain.view``) after all of training."""
import copy

from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.training.vad_fit import fit_vad


def _with_domain(ds, domain):
    items = []
    for d in ds:
        d = copy.copy(d)
        d.domain = domain
        items.append(d)
    return items


def test_a_fit_with_int_domains_reaches_its_scores(tmp_path):
    kw = dict(num_videos=(8, 4), snippets=(16, 24), num_segments=8, log=False)
    root = str(tmp_path / "data")
    train = _with_domain(SyntheticVAD(root, "train", **kw), 0)
    test = _with_domain(SyntheticVAD(root, "test", **kw), 0)
    inch = {s: int(train[0][f"x_{s}"].size(1)) for s in train[0].sources}
    model = build_model("lego-row", "vad", inch, num_segments=8, num_powers=2)
    r = fit_vad(model, train, test, out_dir=tmp_path / "run", epochs=1, batch_size=4,
                val_fraction=0.25, progress=False, checkpoint=False, lambda_deg=0.0)
    videos = r["task"].last_videos
    assert len(videos) == len(test) and {v["domain"] for v in videos} == {0}
    assert all(isinstance(v["domain"], int) for v in videos) and 0.0 <= r["auc"] <= 1.0
