"""The image tasks' records (``metrics.json`` of ``segment`` and ``translate``,
train and evaluate) name the versions that computed them, as the graph
tasks' records do (:func:`~pyg_fusion.experiments._versions.library_versions`)."""
import contextlib
import io
import json

import pytest

from pyg_fusion.cli import main
from pyg_fusion.experiments._versions import library_versions

SEGMENT = ["--size", "16", "--num-train", "4", "--num-test", "2", "--batch-size", "2",
           "--layers", "1,1,1,1", "--width", "4", "--decoder-features", "8", "--light",
           "--epochs", "1"]
TRANSLATE = ["--image-size", "16", "--batch-size", "4", "--num-train", "4", "--num-val", "2",
             "--epochs", "1", "--ngf", "4", "--ndf", "4"]


def _main(argv):
    with contextlib.redirect_stdout(io.StringIO()):
        assert main([*argv, "--no-progress"]) == 0


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """``{(task, action): metrics.json}`` of a short run of each image command."""
    tmp = tmp_path_factory.mktemp("image_records")
    out = {}
    for task, flags in (("segment", SEGMENT), ("translate", TRANSLATE)):
        _main([task, "train", "--root", str(tmp / f"{task}_data"), *flags,
               "--out", str(tmp / task)])
        _main([task, "evaluate", "--checkpoint", str(tmp / task / "checkpoints" / "last.ckpt"),
               "--out", str(tmp / f"{task}_eval")]
              + (["--num-test", "2"] if task == "translate" else []))
        for action, folder in (("train", tmp / task), ("evaluate", tmp / f"{task}_eval")):
            out[task, action] = json.loads((folder / "metrics.json").read_text())
    return out


@pytest.mark.parametrize("action", ["train", "evaluate"])
@pytest.mark.parametrize("task", ["segment", "translate"])
def test_image_records_hold_the_versions_that_made_them(reports, task, action):
    # the graph tasks' results.json named them; metrics.json did not
    assert reports[task, action]["versions"] == library_versions()
