"""experiments.checkpoints after its split: the data fingerprint lives in
experiments._fingerprint and the checkpoint-kind rules (image_task,
other_task) in pyg_fusion._loading, which uses them: every public name of
checkpoints is importable as before, each file stays within ~400 lines,
and the package root's loader imports nothing of pyg_fusion.experiments."""
import importlib
import subprocess
import sys
from pathlib import Path


def test_checkpoints_keeps_its_names_and_its_size():
    ckpt = importlib.import_module("pyg_fusion.experiments.checkpoints")
    fingerprint = importlib.import_module("pyg_fusion.experiments._fingerprint")
    loading = importlib.import_module("pyg_fusion._loading")
    for name in ("CHECKPOINT_FORMAT", "FROM_CHECKPOINT", "load_train_checkpoint",
                 "checkpoint_data", "data_fingerprint", "check_fingerprint",
                 "model_from_checkpoint", "evaluate_checkpoint", "image_task"):
        assert getattr(ckpt, name) is not None, name
    assert ckpt.data_fingerprint is fingerprint.data_fingerprint
    assert ckpt.check_fingerprint is fingerprint.check_fingerprint
    assert ckpt.image_task is loading.image_task
    assert loading.image_task({"variant": 1, "arch": 2, "num_classes": 3}) == "segment"
    assert loading.other_task({"config": {"method": "lego", "dataset": "x"}}, "segment") == (
        "`pyg-fusion train`", "evaluate it with `pyg-fusion evaluate`")
    for mod in (ckpt, fingerprint, loading):
        assert len(Path(mod.__file__).read_text().splitlines()) <= 400, mod.__name__


def test_the_root_loader_imports_no_experiments_module():
    # load_lightning(task=...) names another command's checkpoint without
    # reaching up into pyg_fusion.experiments (which imports the loader)
    code = ("import sys\n"
            "from pyg_fusion._loading import other_task\n"
            "assert other_task({'modalities': 1, 'ngf': 2, 'num_downs': 3}, 'segment')[0] "
            "== 'the translate task'\n"
            "print(sorted(m for m in sys.modules if m.startswith('pyg_fusion.experiments')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]", out.stdout
