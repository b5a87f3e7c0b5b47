"""The one safe loader of checkpoints and caches (pyg_fusion._loading.load_torch):
a damaged torch file is a ValueError saying what is wrong with it and naming
the way out, and the file is opened once, so that what is checked is what
loads."""
from __future__ import annotations

import os

import pytest


@pytest.mark.parametrize("keep, why", [(0, "the file is empty"),
                                       (10, "the file is cut short or damaged"),
                                       (1000, "the file is cut short or damaged"),
                                       (0.5, "the file is cut short or damaged"),
                                       (b"[1, 2]\n", "not a file written by torch.save")])
def test_a_damaged_torch_file_says_what_is_wrong(tmp_path, keep, why):
    """torch said 'OSError: [Errno 22] Invalid argument', or a paragraph of
    its zip reader cut off mid-sentence, or (for a text file) that the file
    would not load safely."""
    import torch

    from pyg_fusion._loading import load_torch
    path = tmp_path / "best.ckpt"
    torch.save({"w": torch.zeros(2000)}, path)
    data = path.read_bytes()
    path.write_bytes(keep if isinstance(keep, bytes) else
                     data[:int(len(data) * keep) if isinstance(keep, float) else keep])
    with pytest.raises(ValueError, match=rf"--checkpoint: cannot read .*best\.ckpt \({why}\); "
                       r"train it again$"):
        load_torch(path, what="--checkpoint", recover="train it again")


def test_a_torch_file_is_opened_once(tmp_path, monkeypatch):
    """load_torch opened each file twice, once to check its records'
    checksums (zipfile), once more in torch.load, so a file written over the
    path between the two (an atomic replace) loaded unchecked. One open now:
    what is checked is what loads; an unreadable file is still a ValueError
    naming it."""
    import builtins
    import io

    import torch

    from pyg_fusion import _loading
    path, other = tmp_path / "best.ckpt", tmp_path / "other.ckpt"
    torch.save({"w": torch.arange(2000.0)}, path)
    torch.save({"w": torch.zeros(3)}, other)
    opened, real = [], builtins.open

    def counting(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and os.fspath(file) == str(path):
            opened.append(args[0] if args else kwargs.get("mode", "r"))
        return real(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting)
    monkeypatch.setattr(io, "open", counting)  # zipfile's
    assert torch.equal(_loading.load_torch(path)["w"], torch.arange(2000.0))
    assert opened == ["rb"]
    checked = _loading._checksum_failure

    def replaced_after_the_check(*args):
        member = checked(*args)
        os.replace(other, path)  # another writer's atomic replace
        return member

    monkeypatch.setattr(_loading, "_checksum_failure", replaced_after_the_check)
    assert torch.equal(_loading.load_torch(path)["w"], torch.arange(2000.0))

    def refused(file, *args, **kwargs):
        raise PermissionError(13, "Permission denied", os.fspath(file))

    monkeypatch.setattr(builtins, "open", refused)
    with pytest.raises(ValueError, match=r"--checkpoint: cannot read .*best\.ckpt "
                       r"\(PermissionError: \[Errno 13\] Permission denied: .*\); train it"):
        _loading.load_torch(path, what="--checkpoint", recover="train it")
