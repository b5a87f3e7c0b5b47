"""PyG's dataset conventions, as a user of them expects them here."""
import pytest
import torch

from pyg_fusion.datasets import SyntheticTranslation


def test_synthetic_translation_takes_a_pre_filter(tmp_path):
    # SyntheticTranslation(..., pre_filter=f) was a TypeError: the one
    # InMemoryDataset here without PyG's pre_filter
    kw = dict(num_images=6, image_size=8, progress=False)
    every = SyntheticTranslation(tmp_path, **kw)
    edges = [float(d.x_edge.mean()) for d in every]
    cut = sorted(edges)[3]

    def busy(data):
        return float(data.x_edge.mean()) >= cut
    kept = SyntheticTranslation(tmp_path, pre_filter=busy, **kw)
    assert len(kept) == sum(e >= cut for e in edges) < len(every)
    # the scenes kept are those of the same index (a scene's seed is its index)
    assert all(torch.equal(k.y, e.y) for k, e in zip(kept, [d for d in every if busy(d)]))
    assert len(SyntheticTranslation(tmp_path, **kw)) == 6  # its own cache
    with pytest.raises(ValueError, match="pre_filter rejected every one of the 6 train scenes"):
        SyntheticTranslation(tmp_path, pre_filter=lambda d: False, **kw)


def _read_only(monkeypatch, folder):
    """The answer of a read-only copy or mount under ``folder`` (the tests run
    where permissions may not bind, e.g. as root)."""
    import os
    access = os.access
    below = os.path.abspath(folder)
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: (
        not (mode & os.W_OK and os.path.abspath(path).startswith(below))
        and access(path, mode, **kw)))


def test_a_read_only_copy_loads_and_says_what_it_cannot_make(tmp_path, monkeypatch):
    # a read-only copy of a built root made by other code (an upgrade) failed
    # with a bare PermissionError on a file the user never named
    import json
    import os

    from pyg_fusion.datasets import SyntheticVAD
    kw = dict(num_videos=(4, 4), snippets=(6, 9), num_segments=4, log=False)
    vad = SyntheticVAD(tmp_path / "vad", "test", **kw)
    trans = SyntheticTranslation(tmp_path / "tr", num_images=2, image_size=8, progress=False)
    _read_only(monkeypatch, tmp_path)
    assert len(SyntheticVAD(tmp_path / "vad", "test", **kw)) == len(vad)  # built: it loads
    with pytest.raises(ValueError, match=r"SyntheticTranslation: \S+processed holds no "
                       r"processed file of these options, .* and cannot be written \(a "
                       r"read-only copy\?\): process the data once where root can be written, "
                       r"or give a writable root"):
        SyntheticTranslation(tmp_path / "tr", num_images=3, image_size=8, progress=False)
    assert len(trans) == 2
    marker = os.path.join(vad.generated_folder, "synthetic.json")
    with open(marker, encoding="utf-8") as f:
        record = json.load(f)
    with open(marker, "w", encoding="utf-8") as f:
        json.dump({**record, "code": "other"}, f)
    for force_reload, why in ((False, "they were made by other code"), (True, "force_reload")):
        with pytest.raises(ValueError, match=rf"^root \S+: the synthetic VAD features there are "
                           rf"to be generated again \({why}\), and it cannot be written"):
            SyntheticVAD(tmp_path / "vad", "test", force_reload=force_reload, **kw)
    assert os.path.isfile(marker)
