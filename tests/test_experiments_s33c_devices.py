"""``devices`` given in Python (build_trainer, every fit's trainer_kwargs,
run_method, run_grid): a count of processes or GPUs, an int >= 1, numpy's
ints taken as Python's. check_accelerator let anything else through to
Lightning, which read devices='2' as two DDP processes past the CPU bound,
took True as one, and said 'The truth value of an empty array is
ambiguous' of np.int64(2) or '`devices` selected with `CPUAccelerator`
should be an int > 0' of 1.5."""
import numpy as np
import pytest

from pyg_fusion.training import accelerators, build_trainer
from pyg_fusion.training.accelerators import check_accelerator, check_threads


@pytest.mark.parametrize("devices, error, got", [
    (1.5, TypeError, "1.5"), (2.0, TypeError, "2.0"), ("2", TypeError, "'2'"),
    ("10000", TypeError, "'10000'"), (True, TypeError, "True"), (None, TypeError, "None"),
    ([0], TypeError, r"\[0\]"), ("auto", TypeError, "'auto'"), (0, ValueError, ">= 1, got 0"),
    (-1, ValueError, ">= 1, got -1")])
def test_devices_that_are_no_count_are_named(tmp_path, monkeypatch, devices, error, got):
    monkeypatch.setattr(accelerators, "usable_cpus", lambda: 2)
    with pytest.raises(error, match=rf"^devices must be .*{got}$"):
        check_accelerator("cpu", devices)
    with pytest.raises(error, match=rf"^devices must be .*{got}$"):
        check_threads("cpu", devices, 1)
    with pytest.raises(error, match=rf"^devices must be .*{got}$"):
        build_trainer(tmp_path / "run", max_epochs=1, devices=devices, progress=False)
    assert not (tmp_path / "run").exists()  # before anything is written


def test_numpy_devices_are_taken_as_python_ints(tmp_path, monkeypatch):
    monkeypatch.setattr(accelerators, "usable_cpus", lambda: 2)
    for value in (np.int64(1), np.int32(2)):
        checked = check_accelerator("cpu", value)
        assert type(checked) is int and checked == value
    with pytest.raises(ValueError, match="^devices 3: accelerator 'cpu' runs one process per"):
        check_accelerator("cpu", np.int64(3))  # the CPU bound, which '3' passed
    trainer = build_trainer(tmp_path / "run", max_epochs=1, devices=np.int64(1),
                            progress=False)
    assert trainer.num_devices == 1
    assert accelerators.hardware_record("cpu", np.int64(1))["devices"] == 1
    assert type(accelerators.hardware_record("cpu", np.int64(1))["devices"]) is int
