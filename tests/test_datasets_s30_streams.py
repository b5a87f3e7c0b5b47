"""A folder given to RecordingStreamsVAD holds the streams of one set of
recordings, sensors and rate: other ones are refused, never read as these."""
import re

import numpy as np
import pytest

from pyg_fusion.datasets import RecordingStreamsVAD


def _recordings(seed, shift=0.0):
    rng = np.random.default_rng(seed)
    return [k + shift + rng.normal(size=(2, 6 * 4)) for k in (0, 0, 1, 1)], ["a", "a", "b", "b"]


KW = dict(train_recordings=_recordings(0), test_recordings=_recordings(1), sensors={"s": [0, 1]},
          rate=4, num_videos=(2, 2), recordings=(1, 2), anomaly_snippets=(1, 2),
          num_segments=None, folder="mine", log=False)


def test_a_given_folder_of_other_recordings_sensors_or_rate_is_refused(tmp_path):
    # the record was compared by its options only: other recordings (here
    # shifted by 100) or one channel instead of two silently read the streams
    # of the first recordings and sensors
    first = RecordingStreamsVAD(tmp_path, **KW)
    shifted = {"train_recordings": _recordings(0, 100.0), "test_recordings": _recordings(1, 100.0)}
    for other, named in ((shifted, "train_recordings / test_recordings"),
                         ({"sensors": {"s": [0]}}, "sensors")):
        with pytest.raises(ValueError, match=rf"folder 'mine' holds streams of other {named}: "
                                             rf"choose another folder, or pass force_reload=True"):
            RecordingStreamsVAD(tmp_path, **{**KW, **other})
    assert len(RecordingStreamsVAD(tmp_path, **KW)) == len(first)  # its own: read
    again = RecordingStreamsVAD(tmp_path, force_reload=True, **{**KW, **shifted})
    assert float(again[0].x_s[:, 0].mean()) > 50 > float(first[0].x_s[:, 0].mean())


@pytest.mark.parametrize("folder", [5, "", " ", "../up", "a/../../up", "/abs"])
def test_a_folder_that_is_no_sub_folder_name_is_refused(tmp_path, folder):
    # folder=5 failed as a bare 'expected str, bytes or os.PathLike object'
    with pytest.raises(ValueError, match=rf"folder must be a relative sub-folder name, got "
                                         rf"{re.escape(repr(folder))}"):
        RecordingStreamsVAD(tmp_path, **{**KW, "folder": folder})
    assert not (tmp_path / "raw").exists()
