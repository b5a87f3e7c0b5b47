"""``OperatorWarmupAuto`` with validations within the epoch
(``val_check_interval`` below 1): a phase that its patience ends within an
epoch starts the next at the next epoch, and the validations before it (of the
ended phase's weights) counted toward the new phase's patience, which could end
it after half an epoch; a phase's cap, counted at a validation within its last
epoch, ended it (the last: the run) half an epoch short. The new phase's count
now starts with its first epoch, and a cap counts whole epochs trained."""
import torch
from scripted_scores import Scripted

from pyg_fusion.training.stopping import OperatorWarmupAuto
from pyg_fusion.training.trainer import build_trainer


class _TwiceAnEpoch(Scripted):
    """Logs ``scores[k]`` at its k-th validation (two an epoch)."""

    k = 0

    def validation_step(self, batch, i):
        self.log("val_score", float(self.scores[min(self.k, len(self.scores) - 1)]))

    def on_validation_epoch_end(self):
        self.k += 1


def _fit(tmp_path, scores, patience, phase_epochs, max_epochs):
    cb = OperatorWarmupAuto("val_score", mode="max", patience=patience,
                            phase_epochs=phase_epochs)
    module = _TwiceAnEpoch(scores)
    data = torch.utils.data.DataLoader(torch.zeros(2, 1))  # 2 batches: 2 validations
    trainer = build_trainer(tmp_path, max_epochs=max_epochs, seed=0, progress=False,
                            checkpoint=False, num_sanity_val_steps=0, val_check_interval=0.5,
                            callbacks=[cb])
    trainer.fit(module, data, data)
    return module.operator_start_epoch, module.k


def test_the_next_phase_counts_its_patience_from_its_first_epoch(tmp_path):
    # best at validation 0; patience 2 ends phase 1 at validation 2 (within
    # epoch 1): A trains from epoch 2. Before, validation 3 (end of epoch 1, A
    # still frozen) counted, and phase 2 stopped at validation 4, half an epoch in
    start, validations = _fit(tmp_path, [1] + [0] * 20, patience=2, phase_epochs=20,
                              max_epochs=40)
    assert (start, validations) == (2, 6)  # phase 2: validations 4 and 5, epoch 2


def test_a_cap_counts_whole_epochs(tmp_path):
    # always improving: each phase ends at its cap of 2 epochs. Before, phase 1
    # ended within epoch 1 (A from epoch 2, as now) and phase 2, the run, within epoch 3
    start, validations = _fit(tmp_path, list(range(40)), patience=5, phase_epochs=2,
                              max_epochs=10)
    assert (start, validations) == (2, 8)  # 4 epochs of 2 validations
