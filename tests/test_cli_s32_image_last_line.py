"""segment and translate, train and evaluate, end alike: one line ``wrote``
and the paths of what the run published into --out."""
import contextlib
import io
import os

from pyg_fusion.cli import main

SEGMENT = ["--size", "16", "--num-train", "4", "--num-test", "2", "--batch-size", "2",
           "--layers", "1,1,1,1", "--width", "4", "--decoder-features", "8", "--light",
           "--epochs", "1"]
TRANSLATE = ["--image-size", "16", "--batch-size", "4", "--num-train", "4", "--num-val", "2",
             "--epochs", "1", "--ngf", "4", "--ndf", "4"]


def _last_line(argv):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([*argv, "--no-progress", "--threads", "1"]) == 0
    return out.getvalue().strip().splitlines()[-1]


def test_the_image_commands_end_with_the_paths_they_wrote(tmp_path):
    # segment evaluate ended 'wrote o/metrics.json, ...', translate evaluate
    # 'figure: o/translation.png' (its metrics unnamed), translate train
    # 'checkpoints: o/checkpoints', segment train named no checkpoints
    for task, flags, figure in (("segment", SEGMENT, "predictions.png"),
                                ("translate", TRANSLATE, "translation.png")):
        run, ev = str(tmp_path / task), str(tmp_path / f"{task}_eval")
        line = _last_line([task, "train", "--root", str(tmp_path / f"{task}_data"), *flags,
                           "--out", run])
        names = ["metrics.json", "metrics.md"] + (
            [figure] if task == "segment" else []) + ["checkpoints"]
        assert line == "wrote " + ", ".join(os.path.join(run, n) for n in names)
        line = _last_line([task, "evaluate", "--checkpoint",
                           os.path.join(run, "checkpoints", "last.ckpt"), "--out", ev]
                          + (["--num-test", "2"] if task == "translate" else []))
        assert line == "wrote " + ", ".join(
            os.path.join(ev, n) for n in ("metrics.json", "metrics.md", figure))
