"""The processed folder holds one cache per setting (a reload replaces the
cache it makes again, and leaves every other file where it was); a folder
is known to be read-only by a write that fails; a generator's record is
read once."""
import os

import numpy as np
import pytest
import torch

from pyg_fusion.datasets import RecordingStreamsVAD, SyntheticVAD

KW = dict(num_videos=(2, 2), snippets=(4, 6), num_segments=4, log=False)


def _caches(ds, prefix):
    return sorted(n for n in os.listdir(ds.processed_dir) if n.startswith(prefix))


def test_force_reload_of_generated_data_replaces_its_cache(tmp_path):
    # every force_reload generated the files again (new stamps, a new cache
    # name) and left the cache before it: one more file per reload
    first = SyntheticVAD(tmp_path, **KW)
    test = SyntheticVAD(tmp_path, split="test", **KW)
    other = SyntheticVAD(tmp_path, **{**KW, "num_segments": 3})  # another setting
    own = os.path.join(first.processed_dir, "vad_train_0123456789.pt")  # a user's file
    with open(own, "wb") as f:
        f.write(b"mine")
    for _ in range(2):
        again = SyntheticVAD(tmp_path, force_reload=True, **KW)
    assert _caches(again, "vad_train") == sorted([
        os.path.basename(again.processed_paths[0]), os.path.basename(other.processed_paths[0]),
        "vad_train_0123456789.pt"])
    assert torch.equal(again[0].x_i3d, first[0].x_i3d)  # the same data
    # the test split's cache, of files since generated again, is replaced in its turn
    assert _caches(test, "vad_test") == [os.path.basename(test.processed_paths[0])]
    test_again = SyntheticVAD(tmp_path, split="test", **KW)
    assert test_again.processed_paths[0] != test.processed_paths[0]
    assert _caches(test, "vad_test") == [os.path.basename(test_again.processed_paths[0])]
    assert os.path.isfile(own) and len(SyntheticVAD(tmp_path, **{**KW, "num_segments": 3})) == 2


def test_a_folder_that_os_access_calls_read_only_is_written(tmp_path, monkeypatch):
    # os.access answers from the mode bits: where ACLs or a network file
    # system grant the write it does not see, the dataset refused to process
    # (after generating its raw files) a root it could write
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: False)
    ds = SyntheticVAD(tmp_path, **KW)
    assert len(ds) == 2 and os.path.isfile(ds.processed_paths[0])


def _recordings(seed):
    rng = np.random.default_rng(seed)
    return [k + rng.normal(size=(2, 6 * 4)) for k in (0, 0, 1, 1)], ["a", "a", "b", "b"]


STREAMS = dict(train_recordings=_recordings(0), test_recordings=_recordings(1),
               sensors={"s": [0, 1]}, rate=4, num_videos=(2, 2), recordings=(1, 2),
               anomaly_snippets=(1, 2), num_segments=None, log=False)


def test_the_streams_record_is_read_once(tmp_path, monkeypatch):
    import builtins
    first = RecordingStreamsVAD(tmp_path, **STREAMS)
    record = os.path.join(first.generated_folder, "streams.json")
    opened, real = [], builtins.open

    def counted(file, *args, **kwargs):
        # read as text (its bytes are also hashed, "rb", in the cache's stamp)
        if isinstance(file, str) and os.path.abspath(file) == record and \
                "b" not in (args[0] if args else kwargs.get("mode", "r")):
            opened.append(file)
        return real(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counted)
    assert len(RecordingStreamsVAD(tmp_path, **STREAMS)) == len(first)
    assert len(opened) == 1
    # what the one reading checks: streams of other options, a damaged record
    with pytest.raises(ValueError, match="holds streams of other options"):
        RecordingStreamsVAD(tmp_path, **{**STREAMS, "seed": 1, "folder": first.tag})
    with real(record, "w", encoding="utf-8") as f:
        f.write("{")
    with pytest.raises(ValueError, match=r"not the record of generated streams \(JSONDecodeError"):
        RecordingStreamsVAD(tmp_path, **STREAMS)
    assert len(RecordingStreamsVAD(tmp_path, force_reload=True, **STREAMS)) == len(first)


def test_a_replaced_cache_that_cannot_be_removed_is_left(tmp_path, monkeypatch):
    # another user's cache in a shared folder (a sticky bit): the reload that
    # made the new cache failed on removing the old one
    first = SyntheticVAD(tmp_path, **KW)
    old, remove = first.processed_paths[0], os.remove

    def refused(path, *args, **kwargs):
        if os.path.abspath(path) == old:
            raise PermissionError(1, "Operation not permitted", path)
        return remove(path, *args, **kwargs)

    monkeypatch.setattr(os, "remove", refused)
    again = SyntheticVAD(tmp_path, force_reload=True, **KW)
    assert len(again) == 2 and os.path.isfile(old) and again.processed_paths[0] != old
