"""An ensemble of a VAD run's restarts: the mean of their segment scores
(``restart_combine="mean"`` of :func:`~pyg_fusion.training.vad_fit.fit_vad`)."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .._option_rules import COMBINES
from ..nn._reset import reset_children

__all__ = ["RestartEnsemble", "COMBINES"]


class RestartEnsemble(nn.Module):
    """The mean of the segment probabilities of several VAD models (a deep
    ensemble of the restarts of one run, each at its own chosen epoch).

    Probabilities are averaged, not logits: what every model is trained and
    chosen on (the MIL top-k mean and the held-out loss) and what the metrics
    rank are sigmoid scores, and a mean of probabilities is bounded by its
    members, so a member with large logits (a saturated one) cannot outvote
    the others as it would in a mean of logits. The output is returned as
    logits (``logit`` of the mean probability) so that the ensemble is scored
    and evaluated as any one model is: its ``sigmoid`` is the mean of the
    members' ``sigmoid`` scores (to float precision; the mean and the logit are
    taken in float64). It is not trained, and it returns no graph.

    Args:
        members (list[torch.nn.Module]): models mapping a batch of videos to
            ``(logits [B, N], G or None)``; at least one.
    """

    def __init__(self, members: list[nn.Module]):
        super().__init__()
        members = list(members)
        if not members:
            raise ValueError("members must hold at least one model, got none")
        self.members = nn.ModuleList(members)

    def reset_parameters(self):
        """Resets every member (PyG's protocol), in order: under one seed the
        members hold what building them again in order holds."""
        reset_children(self)

    def forward(self, batch) -> tuple[torch.Tensor, None]:
        logits = [m(batch)[0] for m in self.members]
        # logit(mean p) = log(mean p) - log(mean (1 - p)), each by a logsumexp
        # of log-sigmoids: finite where every member is saturated (a mean
        # probability that rounds to 1 has the logit inf)
        x = torch.stack([v.double() for v in logits])
        out = torch.logsumexp(F.logsigmoid(x), 0) - torch.logsumexp(F.logsigmoid(-x), 0)
        return out.to(logits[0].dtype), None
