"""segment/translate train --resume of a run interrupted before a section of
the record existed (a new top-level key): a field new to a section, at its
default, was no difference (8dff25f5), a whole new section at its defaults
still was ('ran with trainer=(not set), this run with {...}'). It is none now;
away from its defaults, still one."""
import dataclasses

import pytest
import torch

from pyg_fusion.experiments._image_resume import resume_point
from pyg_fusion.experiments.image_config import (SegmentDataConfig, SegmentModelConfig,
                                                 SegmentTrainConfig)


def _stage(tmp_path, record):
    stage = tmp_path / "train.partial"
    (stage / "checkpoints").mkdir(parents=True)
    torch.save({"run_config": record}, stage / "checkpoints" / "last.ckpt")
    return str(stage)


@pytest.mark.parametrize("new", ["model", "trainer"])
def test_a_section_newer_than_the_run_at_its_defaults_resumes(tmp_path, new):
    # as run_segment records them without a config: tuples kept (model.layers)
    sections = dict(data=SegmentDataConfig(), model=SegmentModelConfig(),
                    trainer=SegmentTrainConfig())
    now = {k: dataclasses.asdict(v) for k, v in sections.items()}
    stage = _stage(tmp_path, {k: v for k, v in now.items() if k != new})
    assert resume_point(stage, now, True, **sections) == f"{stage}/checkpoints/last.ckpt"


def test_a_section_newer_than_the_run_away_from_its_defaults_is_refused(tmp_path):
    sections = dict(data=SegmentDataConfig(), model=SegmentModelConfig(),
                    trainer=SegmentTrainConfig(epochs=3))
    now = {k: dataclasses.asdict(v) for k, v in sections.items()}
    stage = _stage(tmp_path, {k: v for k, v in now.items() if k != "trainer"})
    with pytest.raises(ValueError, match=r"ran with trainer=\(not set\), this run with "
                                         r"\{'epochs': 3,"):
        resume_point(stage, now, True, **sections)
