"""The defaults of CLI flags that README and the docs pages state in prose
(``--val-rate`` (0.1), ``--num-segments N`` (32, ...)) are the parser's: a
user who leaves a flag out gets what the text says. Each statement is quoted
from its page, so that it cannot be edited away unnoticed. README's run on a
user's VAD features says what happens to the videos (their resampling) and
what evaluate records."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _text(page: str) -> str:
    return " ".join((ROOT / page).read_text().split())


# (page, quoted statement, command, flag's destination, the value it states)
STATED = [
    ("README.md", "`--val-rate` (0.1)", "compare", "val_rate", 0.1),
    ("README.md", "`--test-rate` (0.2)", "compare", "test_rate", 0.2),
    ("README.md", "`--label-rate` (0.05;", "compare", "label_rate", 0.05),
    ("README.md", "`--standardize` (off by default;", "train", "standardize", False),
    ("README.md", "`--num-segments N` (32, the paper's;", "train", "num_segments", 32),
    ("README.md", "`--index-col N|none|auto` (a column", "compare", "index_col", "auto"),
    ("README.md", "`--header` / `--no-header` (every text file; detected per file by default",
     "compare", "header", None),
    ("README.md", "the default 0 keeps the data above", "train", "relational_shift", 0.0),
    ("docs/methods.md", "`--branch-warmup`, VAD, off by default", "train", "branch_warmup",
     False),
    ("docs/results/vad_studies.md", "Each phase may run `--epochs` (200) epochs", "train",
     "epochs", 200),
]


def _default(command: str, dest: str, dataset: str):
    """What the run records for a flag left out (the task's default where
    the parser leaves it unset), read from --print-config."""
    import contextlib
    import io

    import yaml

    from pyg_fusion.cli import main
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([command, "--dataset", dataset, "--print-config"]) == 0
    cfg = yaml.safe_load(out.getvalue())
    found = [section[dest] for section in cfg.values()
             if isinstance(section, dict) and dest in section]
    if dest in cfg:
        found.append(cfg[dest])
    assert len(found) == 1, (dest, cfg)
    return found[0]


@pytest.mark.parametrize("page,quote,command,dest,stated", STATED, ids=[q for _, q, *_ in STATED])
def test_a_flag_default_stated_in_prose_is_the_runs(page, quote, command, dest, stated,
                                                     tmp_path, monkeypatch):
    assert quote in _text(page), f"{page} no longer says {quote!r}: update STATED"
    monkeypatch.chdir(tmp_path)
    # a data flag's default is the same whatever the dataset; synthetic-vad's
    # printed config needs no file of the user's
    assert _default(command, dest, "synthetic-vad") == stated


def test_the_user_vad_section_names_the_resampling():
    # a user's videos of T snippets become N segments before every model: the
    # section that runs a user's features says so, with the flag that sets N
    text = _text("README.md")
    section = text[text.index("<!-- section:real-vad -->"):text.index("<!-- /section:real-vad -->")]
    assert re.search(r"`--num-segments N` \(32", section)


def test_the_user_vad_run_names_what_evaluate_records():
    # step 3 "scores the test videos": what it writes are the task's metrics,
    # and the section says where each video's scores are seen
    from pyg_fusion.experiments.records import METRICS
    text = _text("README.md")
    section = text[text.index("<!-- section:real-vad -->"):text.index("<!-- /section:real-vad -->")]
    said = section[section.index("`evaluate` writes the frame-level metrics"):]
    said = said[:said.index(")")]
    assert re.findall(r"`(\w+)`", said)[1:] == METRICS["vad"]
    # and the scores they come from (scores.json, 69b1677), by the keys the
    # writer gives each video, which plot anomaly-scores --input reads
    import torch
    from torch_geometric.data import Data

    from pyg_fusion.training._vad_scores import tested_video
    said = section[section.index("and the scores they come from"):]
    said = said[:said.index("Each test video's snippet scores")]
    assert "`runs/motion-eval/scores.json`" in said
    assert "`runs/motion-train/<method>/seed0/scores.json`" in said
    video = Data(video="v", y=torch.tensor([1]), snippet_len=2, num_nodes=2,
                 snippet_segment=torch.tensor([0, 1]), frame_gt=torch.zeros(4))
    keys = set(tested_video(video, 0, torch.rand(2), torch.rand(4)))
    named = set(re.findall(r"`(\w+)`", said.split("concatenated over the videos")[0]))
    assert named == {"name", "label", "scores", "frame_scores", "gt"} and named <= keys
    assert "pyg-fusion plot anomaly-scores --input runs/motion-eval/scores.json" in section
