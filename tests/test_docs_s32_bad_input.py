"""docs/bad_input.md names this session's refusals as the code makes them: a
VAD list or ground truth that is no file (one line naming the flag, exit 2)
and TranslationModule's images outside [0, 1], a view that is the labels
file."""
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parent.parent / "docs" / "bad_input.md"


def _text() -> str:
    return " ".join(PAGE.read_text().split())


@pytest.mark.parametrize("flag", ["--vad-train-list", "--vad-test-list", "--vad-gt"])
def test_a_vad_file_that_is_no_file_is_the_pages_one_line(flag, tmp_path, capsys):
    from pyg_fusion.cli import main
    assert ("a `--vad-train-list`, `--vad-test-list` or `--vad-gt` that is no file under "
            "`ROOT/raw` (a typo, a folder) is a one-line error naming the flag") in _text()
    raw = tmp_path / "r" / "raw"
    (raw / "f").mkdir(parents=True)
    for name in ("train.list", "test.list", "gt.npy"):
        (raw / name).write_text("x\n")
    given = {"--vad-train-list": "train.list", "--vad-test-list": "test.list",
             "--vad-gt": "gt.npy", flag: "nope"}
    argv = ["train", "--dataset", "vad", "--root", str(tmp_path / "r"),
            "--vad-source", "a=f/{name}.npy", "--no-progress", "--out", str(tmp_path / "o")]
    for f, v in given.items():
        argv += [f, v]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"{flag}: no such file" in err[0]


def test_translation_images_outside_the_unit_range_are_the_pages_refusal():
    import torch
    from pyg_fusion.training.translation import TranslationModule
    assert ("`TranslationModule`'s images, inputs and target, outside [0, 1], e.g. already in "
            "[-1, 1]") in _text()
    module = TranslationModule(["depth"], ngf=4, num_downs=3)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        module([torch.rand(1, 1, 8, 8) * 2 - 1])


def test_the_labels_file_as_a_view_is_the_pages_refusal(tmp_path):
    import numpy as np
    from pyg_fusion.datasets import MultiViewTables
    assert ("A view that is the labels file (`--views data/*.csv` with the labels among them) "
            "is refused") in _text()
    raw = tmp_path / "raw"
    raw.mkdir()
    np.savetxt(raw / "a.csv", np.arange(24.0).reshape(12, 2), delimiter=",")
    (raw / "y.csv").write_text("".join(f"{i % 2}\n" for i in range(12)))
    with pytest.raises(ValueError, match="is the labels file"):
        MultiViewTables(str(tmp_path), ["a.csv", "y.csv"], "y.csv", log=False)
