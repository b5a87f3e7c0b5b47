"""Library calls leave the caller's random states as they were: the runs of
the graph tasks (run_method, run_grid, compare), the image tasks and
evaluate_checkpoint seed their own work and put torch's, Python's and numpy's
generators back (``experiments._rng.keeps_global_rng``)."""
import json

from pyg_fusion.cli import main


def _global_rng():
    import random

    import numpy as np
    import torch
    return (torch.random.get_rng_state().tolist(), random.getstate(),
            np.random.get_state()[1].tolist())


def test_a_run_puts_back_the_callers_random_states(tmp_path):
    """run_method seeded torch, random and numpy for the process and left
    them at the run's end (reproduced: main(['compare', ...]) and run_grid
    changed all three; fit_node / fit_vad put theirs back, the seeding
    before them did not). Its results are those of the seed alone."""
    import random

    import numpy as np
    import torch

    from pyg_fusion.experiments import DataConfig
    from pyg_fusion.experiments.data import load_data
    from pyg_fusion.experiments.run import run_method
    td = load_data(DataConfig("synthetic-vad", str(tmp_path / "data"), num_segments=8))
    runs = []
    for caller_seed in (123, 7):
        torch.manual_seed(caller_seed)
        random.seed(caller_seed)
        np.random.seed(caller_seed)
        before = _global_rng()
        metrics, _ = run_method(td, "graph-mean", 0, tmp_path / f"run{caller_seed}",
                                options={"epochs": 1}, progress=False, checkpoint=False)
        assert _global_rng() == before
        runs.append({k: v for k, v in metrics.items() if k != "time_per_epoch_s"})
    assert runs[0] == runs[1]


def test_the_image_runs_put_back_the_callers_random_states(tmp_path):
    """run_segment / run_translate seeded the process's random states and
    left them at the run's end; their evaluations drew from them (data
    loaders' base seeds). Each now puts the caller's back."""
    import random

    import numpy as np
    import torch

    from pyg_fusion.experiments import image_config as ic
    from pyg_fusion.experiments.segment_run import evaluate_segment, run_segment
    from pyg_fusion.experiments.translate_run import evaluate_translate, run_translate
    seg_data = ic.SegmentDataConfig(root=str(tmp_path / "rgbd"), size=40, num_train=4,
                                    num_test=2, batch_size=2)
    tr_data = ic.TranslateDataConfig(image_size=16, batch_size=4, root=str(tmp_path / "tr"))
    calls = {
        "run_segment": lambda: run_segment(
            seg_data, ic.SegmentModelConfig(width=4, decoder_features=4, light=True),
            ic.SegmentTrainConfig(epochs=1), str(tmp_path / "seg"), progress=False),
        "evaluate_segment": lambda: evaluate_segment(
            str(tmp_path / "seg" / "checkpoints" / "last.ckpt"), None,
            str(tmp_path / "seg_eval"), progress=False),
        "run_translate": lambda: run_translate(
            tr_data, ic.TranslateTrainDataConfig(num_train=8, num_val=4),
            ic.TranslateModelConfig(epochs=1, ngf=4, num_downs=4, gan_mode="none"),
            str(tmp_path / "tr_run"), progress=False),
        "evaluate_translate": lambda: evaluate_translate(
            str(tmp_path / "tr_run" / "checkpoints" / "last.ckpt"), None,
            ic.TranslateEvalConfig(num_test=4, num_figure=1), str(tmp_path / "tr_eval"),
            progress=False),
    }
    for name, call in calls.items():
        torch.manual_seed(123)
        random.seed(123)
        np.random.seed(123)
        before = _global_rng()
        call()
        assert _global_rng() == before, name


def test_evaluate_checkpoint_puts_back_the_callers_random_states(tmp_path):
    """evaluate_checkpoint built the model (its initialisation draws) and
    scored it (the data loaders' base seeds) from the caller's states."""
    import random

    import numpy as np
    import torch

    from pyg_fusion.experiments.checkpoints import evaluate_checkpoint
    out = tmp_path / "run"
    assert main(["train", "--dataset", "synthetic-vad", "--root", str(tmp_path / "data"),
                 "--num-segments", "8", "--method", "graph-mean", "--epochs", "1",
                 "--no-progress", "--out", str(out)]) == 0
    torch.manual_seed(123)
    random.seed(123)
    np.random.seed(123)
    before = _global_rng()
    _, _, metrics = evaluate_checkpoint(str(out / "graph-mean" / "seed0" / "checkpoints" /
                                            "best.ckpt"), None, tmp_path / "ev", progress=False)
    assert _global_rng() == before
    record = {r["metric"]: r["mean"] for r in json.loads((out / "results.json").read_text())}
    assert metrics["auc"] == record["auc"]
