"""The segmentation's data loader workers in the Python API are bounded as
the CLI's --workers is (0 to 4 x the usable CPUs, one bound:
training.accelerators.max_threads): a negative count was torch's error, a
float or a string failed once the first epoch began, and a count far beyond
the CPUs forked that many processes (a hang)."""
import pytest
import torch

from pyg_fusion.training.accelerators import max_threads

BAD = [-1, 2.5, "2", True, max_threads() + 1, 10 ** 6]


def _message(value):
    from pyg_fusion.training.accelerators import THREADS_PER_CPU, usable_cpus
    return (f"num_workers (--workers) must be an integer from 0 to {max_threads()} "
            f"({THREADS_PER_CPU} x the {usable_cpus()} CPUs this process may use), "
            f"got {value!r}")


@pytest.mark.parametrize("workers", BAD)
def test_fit_segmentation_refuses_a_worker_count_before_training(tmp_path, workers):
    from pyg_fusion.training.segmentation import SegmentationModule, fit_segmentation
    module = SegmentationModule("asymfusion", 6, {"depth": None, "layers": (1, 1, 1, 1),
                                                  "width": 4, "decoder_features": 4,
                                                  "light": True})
    scenes = [{"rgb": torch.zeros(3, 8, 8), "depth": torch.zeros(3, 8, 8),
               "mask": torch.zeros(8, 8, dtype=torch.long)}] * 2
    with pytest.raises(ValueError) as err:
        fit_segmentation(module, scenes, out_dir=str(tmp_path), max_epochs=1, batch_size=2,
                         progress=False, checkpoint=False, num_workers=workers)
    assert str(err.value) == _message(workers)
    assert not any(tmp_path.iterdir())  # no trainer began


def test_numpy_integers_and_the_bound_itself_are_taken():
    import numpy as np

    from pyg_fusion.training._segmentation_loaders import check_workers
    for value in (0, np.int64(1), max_threads()):
        check_workers(value)


def test_run_segment_refuses_it_before_the_scenes_are_made(tmp_path):
    from pyg_fusion.experiments import image_config as ic
    from pyg_fusion.experiments.segment_run import run_segment
    with pytest.raises(ValueError, match=r"^num_workers \(--workers\) must be an integer"):
        run_segment(ic.SegmentDataConfig(root=str(tmp_path / "rgbd"), workers=10 ** 6),
                    ic.SegmentModelConfig(), ic.SegmentTrainConfig(), str(tmp_path / "o"),
                    progress=False)
    assert not any(tmp_path.iterdir())
