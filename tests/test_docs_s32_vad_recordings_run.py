"""docs/vad_recordings.md makes streams from a user's recordings and says
which flags the CLI reads them back with: its Python block and those flags,
as the page writes them (``<tag>`` and ``<sensor>`` filled in), make a run."""
import json
import math
import re
from pathlib import Path

PAGE = Path(__file__).resolve().parent.parent / "docs" / "vad_recordings.md"


def _page_flags(tag: str, sensors, num_videos) -> list[list[str]]:
    """The page's `--vad-*` spans: one argv per way it gives of labelling the videos."""
    text = " ".join(PAGE.read_text().split())
    said = text[text.index("the CLI reads that folder"):text.index("the files in full")]
    common, labels = [], []
    for span in re.findall(r"`(--vad-[a-z-]+(?: [^`]+)?)`", said):
        flag, *value = span.split(" ", 1)
        if flag == "--vad-source":
            for s in sensors:
                common += [flag, value[0].replace("<sensor>", s).replace("<tag>", tag)]
        elif flag == "--vad-labels":
            span = span.replace("<ceil(train/2)>", str(math.ceil(num_videos[0] / 2)))
            labels.append(span.replace("<ceil(test/2)>", str(math.ceil(num_videos[1] / 2))).split())
        elif value:
            common += [flag, value[0].replace("<tag>", tag)]
    assert "--vad-snippet-len` = the samples per snippet (`rate`)" in said
    assert len(labels) == 2
    return [common + form for form in labels]


def test_the_pages_streams_train_with_the_flags_it_names(tmp_path, monkeypatch):
    from pyg_fusion.cli import main
    block = re.search(r"^```python\n(.*?)^```", PAGE.read_text(), flags=re.S | re.M).group(1)
    monkeypatch.chdir(tmp_path)
    ns = {"__name__": "__docs__"}
    exec(compile(block, str(PAGE), "exec"), ns)
    kw, train = ns["kw"], ns["train"]
    argvs = _page_flags(train.tag, list(kw["sensors"]), kw["num_videos"])
    for i, argv in enumerate(argvs):
        out = tmp_path / f"run{i}"
        assert main(["train", "--dataset", "vad", "--root", "runs/my-streams", *argv,
                     "--vad-snippet-len", str(kw["rate"]), "--method", "graph-mean",
                     "--epochs", "1", "--no-progress", "--out", str(out)]) == 0
        (auc,) = [r for r in json.loads((out / "results.json").read_text())
                  if r["metric"] == "auc"]
        assert 0 <= auc["mean"] <= 1
