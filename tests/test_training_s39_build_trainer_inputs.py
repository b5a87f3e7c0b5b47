"""build_trainer's mode and out_dir are checked before anything is seeded
or written, with errors naming them."""
import os

import pytest

from pyg_fusion.training import build_trainer


@pytest.mark.parametrize("monitor", [None, "val_acc"])
def test_a_bad_mode_is_refused_before_out_dir_is_made(tmp_path, monitor):
    # without a monitor it was taken (unread); with one, Lightning refused it
    # ("`mode` can be min, max but got up") once out_dir had been made
    out = tmp_path / "run"
    with pytest.raises(ValueError, match=r"mode must be one of \('max', 'min'\), got 'up'"):
        build_trainer(out, monitor=monitor, mode="up", progress=False)
    assert not os.path.exists(out)


def test_out_dir_none_is_named():
    # pathlib's "expected str, bytes or os.PathLike object, not NoneType"
    with pytest.raises(TypeError, match="out_dir must be a folder path .* got NoneType"):
        build_trainer(None, progress=False)
