"""A folder named as a file that a run writes into its --out (metrics.json of
segment / translate, results.json of train), or a file named as one of its
folders (checkpoints, <method>/seed<k>, P<p>_Q<q>/seed<k>), was replaced by
the run with everything inside it, or failed the run once it had trained.
The run refuses such an --out before any work, naming the entry; the user's
entry stays as it was."""
import pytest
import torch

from pyg_fusion.cli import main

GRAPH = ["--dataset", "digits", "--epochs", "1", "--seeds", "0", "--threads", "1",
         "--no-progress"]


@pytest.mark.parametrize("argv, entry, kind", [
    (["translate", "train"], "metrics.json", "folder"),
    (["translate", "train"], "checkpoints", "file"),
    (["translate", "evaluate", "--checkpoint", "{ckpt}"], "translation.png", "folder"),
    (["segment", "train"], "metrics.md", "folder"),
    (["segment", "train"], "logs", "file"),
    (["segment", "evaluate", "--checkpoint", "{ckpt}"], "metrics.json", "folder"),
    (["train", *GRAPH, "--method", "lego"], "results.json", "folder"),
    (["compare", *GRAPH, "--method", "lego", "--root", "{root}"], "lego/seed0", "file"),
    (["sweep", *GRAPH, "--method", "lego", "--p", "1", "--q", "1"], "P1_Q1/seed0", "file"),
    (["evaluate", "--checkpoint", "{ckpt}"], "results.json", "folder"),
    (["demo", "--root", "{root}"], "vad_scores.png", "folder"),
    (["demo", "--root", "{root}"], "runs", "file"),
])
def test_an_out_entry_of_the_other_kind_is_refused_before_any_work(tmp_path, capsys, argv,
                                                                   entry, kind):
    ckpt = tmp_path / "m.ckpt"
    torch.save({}, ckpt)
    out = tmp_path / "out"
    path = out / entry
    if kind == "folder":
        path.mkdir(parents=True)
        (path / "mine.txt").write_text("mine")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("mine")
    argv = [a.format(ckpt=ckpt, root=tmp_path / "data") for a in argv]
    if "--threads" not in argv:
        argv += ["--threads", "1", "--no-progress"]
    assert main([*argv, "--out", str(out)]) == 2
    printed = capsys.readouterr()
    other = "folder" if kind == "file" else "file"
    assert printed.err.splitlines()[-1] == (
        f"pyg-fusion {' '.join(argv[:2] if argv[0] in ('segment', 'translate') else argv[:1])}"
        f": error: --out {str(out)!r} holds a {kind} {entry!r}, where the run writes its "
        f"{other} of that name, which would replace it: move it, or give another --out")
    assert (path / "mine.txt" if kind == "folder" else path).read_text() == "mine"
    assert not any(p.name.endswith(".partial") for p in out.rglob("*"))


def test_entries_of_the_right_kind_are_an_earlier_runs(tmp_path):
    from pyg_fusion.experiments._run_folders import check_out_entries
    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "metrics.json").write_text("{}")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "metrics.md").symlink_to(tmp_path / "elsewhere")  # a link is replaced only
    check_out_entries(tmp_path, ("metrics.json", "metrics.md", "absent.png"),
                      ("checkpoints", "logs"))
