"""docs/training.md says what a rerun into a used --out leaves in a run
folder: the statement is quoted beside the publishing step that train,
compare and sweep run (experiments.run calls publish_run with scores.json
and logs, the rest by RUN_FOLDERS)."""
from pathlib import Path

import pytest

TRAINING = Path(__file__).resolve().parent.parent / "docs" / "training.md"


def test_a_rerun_removes_the_earlier_runs_entries_the_page_names(tmp_path):
    from pyg_fusion import PygFusionNotice
    from pyg_fusion.experiments._run_folders import publish_run
    text = " ".join(TRAINING.read_text().split())
    assert ("A rerun into a used `--out` leaves in each run folder what this run writes and your "
            "own files: an earlier run's `scores.json`, `logs/`, `init_*/`, `restart*/` and "
            "`ensemble/` that this run does not write are removed, with a notice naming them"
            in text)
    run = "pyg_fusion/experiments/run.py"
    assert 'publish_run(stage, folder, ("scores.json", ), ("logs", ))' in \
        (TRAINING.parent.parent / run).read_text()
    folder, stage = tmp_path / "seed0", tmp_path / "stage"
    for name in ("logs", "init_mean", "restart1", "ensemble", "checkpoints", "mine"):
        (folder / name).mkdir(parents=True)
    (folder / "scores.json").write_text("{}")
    (folder / "notes.txt").write_text("a user's")
    (stage / "checkpoints").mkdir(parents=True)
    with pytest.warns(PygFusionNotice, match="ensemble, init_mean, logs, restart1, scores.json: "
                                              "removed"):
        publish_run(stage, folder, ("scores.json", ), ("logs", ))
    assert sorted(p.name for p in folder.iterdir()) == ["checkpoints", "mine", "notes.txt"]


def test_the_page_says_an_earlier_runs_other_seeds_are_kept_and_named():
    text = " ".join(TRAINING.read_text().split())
    assert ("Run folders of an earlier run that this one does not repeat (`--seeds 0` after "
            "`--seeds 0,1`: `lego/seed1`) are kept, and named once the run finishes" in text)
    runs = (TRAINING.parent.parent / "pyg_fusion" / "cli" / "_runs.py").read_text()
    assert "of an earlier run that this one did not " in runs  # the notice
