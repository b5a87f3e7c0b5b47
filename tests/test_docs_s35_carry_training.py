"""What the docs say of the CLI, training, metrics and benchmarks
(README.md, docs/training.md), held to the code."""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _page(name: str) -> str:
    return " ".join((ROOT / name).read_text().split())


def test_standardize_with_tables_is_as_readme_says(tmp_path, capsys):
    # b197309: --standardize accepted with tables (what it does, recorded
    # true), --no-standardize refused
    import numpy as np
    from pyg_fusion.cli import main
    assert ("here it only states what every run does (records and `--print-config` say "
            "`standardize: true`), and `--no-standardize` is refused") in _page("README.md")
    a = tmp_path / "a.npy"
    np.save(a, np.random.default_rng(0).normal(size=(20, 2)))
    (tmp_path / "y.csv").write_text("".join(f"{i % 2}\n" for i in range(20)))
    argv = ["train", "--dataset", "tables", "--views", str(a), "--labels",
            str(tmp_path / "y.csv"), "--root", str(tmp_path / "data")]
    assert main([*argv, "--standardize", "--print-config"]) == 0
    assert "standardize: true" in capsys.readouterr().out
    assert main([*argv, "--no-standardize", "--print-config"]) == 2
    assert "--no-standardize: --dataset tables always z-scores" in capsys.readouterr().err


def test_resume_and_a_models_folder_are_as_the_pages_say():
    # 4adb661: --no-resume undoes a config's resume: true; 8a3f870: a folder of
    # the user's own models is accepted as evaluate's --out
    assert ("or leave out `--resume` (or pass `--no-resume`, which undoes a `--config` file's "
            "`resume: true`") in _page("docs/bad_input.md")
    assert ("`*.ckpt` files in a folder not named `checkpoints` do not make it refused"
            ) in _page("docs/training.md")
    from pyg_fusion.cli import build_parser
    args = build_parser().parse_args(["compare", "--resume", "--no-resume"])
    assert args.resume is False


def test_a_folder_of_models_is_no_run_folder_as_the_training_page_says(tmp_path):
    from pyg_fusion.cli.evaluate import check_not_a_run_folder
    models = tmp_path / "models"
    models.mkdir()
    (models / "lego.ckpt").write_bytes(b"")
    check_not_a_run_folder(models)
    (models / "checkpoints").mkdir()
    (models / "checkpoints" / "best.ckpt").write_bytes(b"")
    with pytest.raises(ValueError, match="holds a training run's checkpoint"):
        check_not_a_run_folder(models / "checkpoints")


def test_config_file_values_are_named_by_file_and_key_as_the_training_page_says(tmp_path,
                                                                               capsys):
    # 1e8ae82, 1514906
    said = _page("docs/training.md")
    assert ("A file's value that its flag refuses is named by file and key (`--config run.yaml: "
            "epochs: expected a positive integer, got -1`)") in said
    from pyg_fusion.cli import main
    run = tmp_path / "run.yaml"
    run.write_text("trainer:\n  epochs: -1\n")
    assert main(["train", "--config", str(run), "--print-config"]) == 2
    assert f"--config {run}: epochs: expected a positive integer, got -1" in capsys.readouterr().err
    run.write_text("data:\n  dataset: digits\n  num_segments: 8\n")
    assert main(["train", "--config", str(run), "--root", str(tmp_path / "d"),
                 "--print-config"]) == 2
    assert (f"--num-segments applies to --dataset synthetic-vad / motion-vad / vad, not to digits "
            f"(--config {run}: num_segments: 8)") in capsys.readouterr().err


def test_a_confusion_matrix_counting_the_ignored_class_is_refused_as_the_page_says():
    # 6279d96
    assert ("a matrix of your own given to `segmentation_scores` with counts in that class's row "
            "is refused, naming them") in _page("docs/methods.md")
    import torch
    from pyg_fusion.training.segmentation_metrics import segmentation_scores
    cm = torch.tensor([[5, 1, 0], [0, 4, 1], [0, 1, 6]])
    with pytest.raises(ValueError, match="6 pixels labelled ignore_index=0"):
        segmentation_scores(cm, ignore_index=0)
    cm[0] = 0
    assert segmentation_scores(cm, ignore_index=0)["pixel_acc"] == pytest.approx(10 / 12)


def test_a_stopped_scaling_run_keeps_its_sizes_as_the_scaling_page_says():
    # ac02b4e (the behaviour: tests/test_benchmarks_s35_scaling_partial.py)
    assert ("`scaling.py --json` also writes its file after each size, marked `\"incomplete\": "
            "\"<k> of <m> sizes measured: the run did not end\"` until the run ends"
            ) in _page("docs/results/scaling.md")
    assert "sizes measured: the run did not end" in \
        (ROOT / "benchmarks" / "scaling.py").read_text()
    # ecfd939: sparse_vs_dense.py likewise
    assert ("`sparse_vs_dense.py --json` also writes its file after each configuration, marked "
            "`\"incomplete\": \"<k> configurations measured: the run did not end\"`"
            ) in _page("docs/results/scaling.md")
    assert "configurations measured: the run did not end" in \
        (ROOT / "benchmarks" / "sparse_vs_dense.py").read_text()


def test_segmentation_modules_arch_modalities_are_as_the_bad_input_page_says():
    # 4f3b23f
    assert ("and `arch` modalities other than those its variant reads (`rgb`, `depth`, in that "
            "order, for the two-input variants") in _page("docs/bad_input.md")
    from pyg_fusion.training.segmentation import SegmentationModule
    arch = dict(depth=None, layers=[1, 1, 1, 1], width=8, decoder_features=16, light=True)
    with pytest.raises(ValueError, match=r"variant 'asymfusion' reads \['rgb', 'depth'\]"):
        SegmentationModule(num_classes=4, arch=dict(arch, modalities=("depth", "rgb")))
    SegmentationModule(num_classes=4, arch=dict(arch, modalities=["rgb", "depth"]))
