"""The frame-level ground truth of a VAD domain's videos
(:class:`~pyg_fusion.datasets.VADFeatures`): one array over all of them
concatenated in list order, or one file per video, read and checked against
each video's snippets in list order."""
from __future__ import annotations

import os.path as osp

import numpy as np

from ._npy import load_npy

# what a ground truth that does not fit the videos' snippets usually means
_GT_HINT = ("check snippet_len, the ground truth's frames per snippet (pyg-fusion: "
            "--vad-snippet-len), and that it holds this list's videos in its order, each "
            "T x snippet_len frames: cut the frames past a video's last whole snippet, or "
            "give one file per video (gt='gt/{name}.npy', which is cut)")


def _binary(gt: np.ndarray, what: str) -> np.ndarray:
    """Frame labels as a flat int64 array, which must hold only 0 and 1
    (a cast alone would turn 0.5 into 0 and NaN into a huge negative)."""
    gt = np.asarray(gt).reshape(-1)
    if not (np.issubdtype(gt.dtype, np.number) or gt.dtype == np.bool_):
        raise ValueError(f"{what} holds {gt.dtype} values, expected 0 / 1 frame labels")
    bad = ~np.isin(gt, (0, 1))
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"{what} holds {int(bad.sum())} value(s) other than 0 and 1 (frame "
                         f"{i}: {gt[i].item()!r}); expected 0 / 1 frame labels")
    return gt.astype(np.int64)


class FrameGroundTruth:
    """The ground truth ``gt_file`` of one domain (``None``: none; with
    ``{name}``: one file per video, which a normal video may lack: its frames
    are all 0) under ``folder``, handed out video by
    video in list order (:meth:`video`); :meth:`finish` checks what is left
    after the last video. A concatenated file is read at once, so that its
    errors come before any video's."""

    def __init__(self, folder: str, gt_file: str | None, snippet_len: int, domain: str):
        self.folder, self.gt_file, self.snippet_len = folder, gt_file, snippet_len
        self.domain = domain
        self.all, self.offset, self.mislabelled = None, 0, None
        if gt_file is not None and "{name}" not in gt_file:
            path = osp.join(folder, gt_file)
            self.all = _binary(load_npy(path, f"{domain}: ground truth"),
                               f"{domain}: ground truth {path}")

    def video(self, video: str, label: int, T: int, where: str) -> np.ndarray | None:
        """The frame labels of ``video`` (label ``label``, ``T`` snippets,
        named ``where`` in errors), ``None`` without ground truth."""
        gt_all, gt_file, frames = self.all, self.gt_file, T * self.snippet_len
        frame_gt = None
        if gt_all is not None:
            offset = self.offset
            if offset + frames > gt_all.size:
                raise ValueError(f"{where}: the ground truth {gt_file} is too short: it "
                                 f"has {gt_all.size} frames, this video needs frames "
                                 f"{offset}..{offset + frames - 1} ({T} snippets x "
                                 f"{self.snippet_len}); {_GT_HINT}")
            frame_gt = gt_all[offset:offset + frames]
            self.offset = offset + frames
        elif gt_file is not None:
            path = osp.join(self.folder, gt_file.format(name=video))
            if not osp.isfile(path):
                if label == 0:  # a normal video's frames are all normal: no file needed
                    return np.zeros(frames, dtype=np.int64)
                raise ValueError(f"{where} is abnormal, but its ground truth {path} (gt="
                                 f"{gt_file!r}) does not exist: give its frame labels (0 / 1, "
                                 f"at least {frames} = {T} snippets x {self.snippet_len}) "
                                 f"there; a normal video's file may be left out (all 0)")
            g = _binary(load_npy(path, f"{where}: ground truth"),
                        f"{where}: ground truth {path}")
            if g.size < frames:
                raise ValueError(f"{where}: the ground truth is too short: {g.size} "
                                 f"frames for {T} snippets x {self.snippet_len}; check "
                                 f"snippet_len, the ground truth's frames per snippet "
                                 f"(pyg-fusion: --vad-snippet-len)")
            frame_gt = g[:frames]
        if (label == 0 and frame_gt is not None and frame_gt.any()
                and self.mislabelled is None):
            # a concatenated ground truth in another order than the list (one of
            # them sorted) gave each video another's frames, their total the same:
            # scored against them without a word. Raised after the length check
            # of finish(), whose cause (another snippet length) moves every video's frames
            span, why = ((f"frames {self.offset - frames}..{self.offset - 1} of {gt_file}",
                          "concatenated in another order than the list (one of them "
                          "sorted?)") if gt_all is not None else
                         (gt_file.format(name=video), "of another video"))
            self.mislabelled = (f"{where} is normal (its label), but its ground truth "
                                f"({span}) marks {int(frame_gt.sum())} of its {frames} "
                                f"frames abnormal: a ground truth {why}, or a wrong label; "
                                f"give the videos in the ground truth's order, or check "
                                f"how they are labelled (pyg-fusion: --vad-labels)")
        return frame_gt

    def finish(self, names: list[str]) -> None:
        """After the last video of the list ``names``: a concatenated ground
        truth with frames left over is an error, then a normal video whose
        frames it marks abnormal (:meth:`video`)."""
        gt_all, offset = self.all, self.offset
        if gt_all is not None and offset != gt_all.size:
            snippets = offset // self.snippet_len
            # a whole multiple of the snippets is the usual cause: another snippet length
            fits = (f"; its {gt_all.size} frames fit snippet_len="
                    f"{gt_all.size // snippets}" if snippets and gt_all.size % snippets == 0
                    else "")
            raise ValueError(f"{self.domain}: the ground truth {self.gt_file} has "
                             f"{gt_all.size - offset} frames more than the videos of the "
                             f"list (after the last video {names[-1]!r}), which hold "
                             f"{snippets} snippets x {self.snippet_len} frames; "
                             f"{_GT_HINT}{fits}")
        if self.mislabelled is not None:
            raise ValueError(self.mislabelled)
