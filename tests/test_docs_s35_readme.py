"""README's statements a new user checks by copying them, held to the code."""
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent


def _readme() -> str:
    return " ".join((ROOT / "README.md").read_text().split())


def test_the_tables_split_rounds_halves_up_as_readme_says():
    # a user checking the sizes with Python's round (2.5 -> 2) counted one row
    # too few for every class whose rate * n ends in .5
    assert ("each class holds out `round(rate * n)` of its n labelled rows (halves round up, "
            "not Python's `round`: 2.5 gives 3)") in _readme()
    assert "of which `--label-rate` (0.05; at least one row per class) is labelled" in _readme()
    from pyg_fusion.datasets._split import stratified_masks
    y = torch.arange(2).repeat_interleave(25)  # 25 rows a class: 0.1 * 25 = 2.5
    train, val, test = stratified_masks(y, 0.05, val_rate=0.1, test_rate=0.2)
    for c in range(2):
        assert [int(m[y == c].sum()) for m in (train, val, test)] == [1, 3, 5]
