"""Notices: what a run says of its inputs when it goes on all the same (the
data of a checkpoint changed since training, settings a checkpoint does not
record, an output folder that holds an earlier run). Library code never
prints them: it warns with :class:`PygFusionNotice`, which a Python caller
filters like any warning (``warnings.filterwarnings("ignore",
category=pyg_fusion.PygFusionNotice)``; ``-W error`` makes each an error);
the ``pyg-fusion`` command renders each as one line
``pyg-fusion <command>: notice: ...`` on stderr."""
from __future__ import annotations

import warnings


class PygFusionNotice(UserWarning):
    """A notice of :mod:`pyg_fusion`: the call goes on, and what it did
    differs from what the caller may expect in the way the message says."""


def notice(message: str, stacklevel: int = 1) -> None:
    """Warns ``message`` as a :class:`PygFusionNotice`.

    Args:
        message (str): one sentence, naming what it is about.
        stacklevel (int, optional): the frame the warning names, counted from
            the caller of this function, as :func:`warnings.warn` counts from
            its own caller. (default: :obj:`1`)
    """
    warnings.warn(message, PygFusionNotice, stacklevel=stacklevel + 1)
