"""datasets/README.md says how byte-string labels read and what VADLayout's
sources and gt must be: each statement is quoted beside what the readers do."""
from pathlib import Path

import numpy as np
import pytest

README = Path(__file__).resolve().parent.parent / "datasets" / "README.md"


def _said(quote: str) -> None:
    assert quote in " ".join(README.read_text().split()), \
        f"datasets/README.md no longer says {quote!r}: update this test"


def test_byte_string_labels_are_utf8_text(tmp_path):
    from pyg_fusion.datasets import MultiViewTables
    _said("A `.npy` / `.npz` of byte strings (as h5py returns strings) is read as UTF-8 text: "
          "`b'cat'` is the class `cat`, `b''` a missing label.")
    raw = tmp_path / "raw"
    raw.mkdir()
    np.save(raw / "a.npy", np.arange(8.0).reshape(4, 2))
    np.save(raw / "y.npy", np.array([b"cat", b"dog", b"", b"cat"]))
    ds = MultiViewTables(tmp_path, ["a.npy"], "y.npy", log=False)
    assert ds.classes == ["cat", "dog"] and ds[0].y.tolist() == [0, 1, -1, 0]


def test_vad_layout_sources_are_a_dict_and_gt_keys_the_splits():
    from pyg_fusion.datasets import VADLayout
    _said("`gt={\"train\": ..., \"test\": ...}` for both splits (other keys are an error)")
    _said("`sources` is a dict `{source name: path pattern}` (a string, or the command line's "
          "`['rgb=f/{name}.npy']`, is an error saying so)")
    for sources in ("f/{name}.npy", ["rgb=f/{name}.npy"]):
        with pytest.raises(TypeError, match=r"sources must be a dict \{source name"):
            VADLayout(sources=sources)
    with pytest.raises(ValueError, match="gt's keys must be 'train' / 'test'"):
        VADLayout(sources={"rgb": "f/{name}.npy"}, gt={"tst": "gt.npy"})
    VADLayout(sources={"rgb": "f/{name}.npy"}, gt={"train": "a.npy", "test": "b.npy"})
