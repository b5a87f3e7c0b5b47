"""Every ```python block of datasets/README.md runs as written, in an empty
working folder: the digits block on the bundled files, the tables block on
files of the layout drawn above it; the VAD blocks, whose layouts need
hundreds of videos, call the readers with arguments their signatures take
and layouts that VADLayout accepts (test_readme.py runs the blocks of README
and docs/, not these)."""
import inspect
import re
from pathlib import Path

import numpy as np
import pytest

DATASETS_README = Path(__file__).resolve().parent.parent / "datasets" / "README.md"


def _blocks() -> list[str]:
    text = DATASETS_README.read_text()
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def test_the_page_has_the_four_blocks_this_file_runs():
    blocks = _blocks()
    assert len(blocks) == 4
    assert "MultiFeatureDigits(" in blocks[0] and "MultiViewTables(" in blocks[1]
    assert all("VADFeatures(" in b for b in blocks[2:])


def test_the_digits_block_runs_on_the_bundled_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ns: dict = {}
    exec(_blocks()[0], ns)
    data = ns["data"]
    # the table above the block: label_rate 0.05 -> 70 / 200 / 400 nodes
    assert [int(m.sum()) for m in (data.train_mask, data.val_mask, data.test_mask)] == [70, 200, 400]


def test_the_tables_block_runs_on_files_of_the_layout_above_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    raw = tmp_path / "data" / "mine" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    np.savetxt(raw / "shape.csv", rng.normal(size=(60, 3)), delimiter=",")
    np.save(raw / "texture.npy", rng.normal(size=(60, 4)))
    np.savetxt(raw / "labels.csv", np.array(["cat", "dog", "eel"] * 20), fmt="%s")
    ns: dict = {}
    exec(_blocks()[1], ns)
    data = ns["ds"][0]
    assert data.sources == ["shape", "texture"] and ns["ds"].classes == ["cat", "dog", "eel"]


@pytest.mark.parametrize("index", [2, 3])
def test_the_vad_blocks_call_the_readers_with_their_arguments(index, tmp_path, monkeypatch):
    import pyg_fusion.datasets as datasets
    from pyg_fusion.datasets import VADFeatures, VADLayout
    calls = []

    def bind(*args, **kwargs):
        bound = inspect.signature(VADFeatures).bind(*args, **kwargs)
        layout = bound.arguments.get("layout")
        calls.append(VADLayout(**layout) if layout else bound.arguments["domains"])

    monkeypatch.setattr(datasets, "VADFeatures", bind)
    monkeypatch.chdir(tmp_path)
    exec(_blocks()[index], {})
    assert len(calls) == 1
