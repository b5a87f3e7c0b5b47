"""segment evaluate --data nyud --root <no folder> was refused only once torch
and Lightning had loaded the checkpoint (evaluate_segment's check_scenes_root,
~6.7 s CPU on a loaded machine): given with --data, the scenes' kind needs no
checkpoint, so the command's check refuses it, one line, as segment train's
does. A --root without --data stays the run's to judge (a synthetic
checkpoint's root is where its scenes are made)."""
import torch
from test_cli_s41_early_user_errors import _refused_before_torch


def test_segment_evaluates_own_scenes_root_is_refused_before_torch(tmp_path):
    ckpt, out, nodir = tmp_path / "m.ckpt", tmp_path / "out", tmp_path / "nodir"
    torch.save({}, ckpt)  # a file of torch.save: its contents are the run's to read
    _refused_before_torch({
        f"segment evaluate --checkpoint {ckpt} --data nyud --root {nodir} --out {out}":
            f"pyg-fusion segment evaluate: error: --root folder not found: {nodir}\n"})
    assert not out.exists()
