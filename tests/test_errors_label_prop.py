"""Bad inputs to label propagation in pyg_fusion.functional (seed_labels,
label_propagation, dense_label_propagation): each gives a clear error naming
the argument (or a defined, checked behaviour); see tests/bad_inputs.py."""
import torch

import pyg_fusion.functional as F
from bad_inputs import Case, Defined, case_tests
from test_errors_functional import X, EI, EW, ADJ, nan


def _seed_labels_empty_mask():
    out = F.seed_labels(torch.tensor([0, 2, 1]), torch.zeros(3, dtype=torch.bool))
    assert out.shape == (3, 3) and not out.any()


def catalogue():
    return [
        # label propagation
        Case("seed_labels label >= num_classes",
             lambda: F.seed_labels(torch.tensor([0, 5, 1]), torch.ones(3, dtype=torch.bool), 3),
             ValueError, r"y\[mask\] holds class indices outside \[0, 3\) \(min 0, max 5\)"),
        Case("seed_labels negative label",
             lambda: F.seed_labels(torch.tensor([0, -1, 1]), torch.ones(3, dtype=torch.bool)),
             ValueError, r"y\[mask\] holds class indices outside"),
        Case("seed_labels y float",
             lambda: F.seed_labels(torch.tensor([0., 1.]), torch.ones(2, dtype=torch.bool)),
             TypeError, r"y must hold class indices \(torch.long\)"),
        Case("seed_labels mask int", lambda: F.seed_labels(torch.tensor([0, 1]), torch.tensor([1, 0])),
             TypeError, r"mask must be a bool tensor"),
        Case("seed_labels mask shape",
             lambda: F.seed_labels(torch.tensor([0, 1]), torch.ones(3, dtype=torch.bool)),
             ValueError, r"mask must have shape \[2\]"),
        Case("seed_labels num_classes", lambda: F.seed_labels(torch.tensor([0, 1]),
                                                              torch.ones(2, dtype=torch.bool), 0),
             ValueError, r"num_classes must be >= 1"),
        Case("label_propagation y NaN", lambda: F.label_propagation(nan(X[:5]), EI),
             ValueError, r"y contains"),
        Case("label_propagation alpha", lambda: F.label_propagation(X[:5], EI, alpha=1.0),
             ValueError, r"alpha must be in \[0, 1\)"),
        Case("label_propagation edge_weight dtype",
             lambda: F.label_propagation(X[:5], EI, EW.double()),
             TypeError, r"edge_weight is torch.float64 but y"),
        Case("label_propagation edge_index out of range",
             lambda: F.label_propagation(X[:3], EI),
             ValueError, r"edge_index holds node indices outside \[0, 3\)"),
        Case("dense_label_propagation adj shape",
             lambda: F.dense_label_propagation(X[:5], ADJ[:4, :4]),
             ValueError, r"adj must be \[N, N\] = \[5, 5\]"),
        Case("dense_label_propagation adj dtype",
             lambda: F.dense_label_propagation(X[:5], ADJ.double()),
             TypeError, r"adj is torch.float64 but y"),
        Case("label_propagation num_layers", lambda: F.label_propagation(X[:5], EI, num_layers=-1),
             ValueError, r"num_layers must be >= 0"),
        Defined("seed_labels with an empty mask", _seed_labels_empty_mask),
    ]


CASES = catalogue()
test_clear_error, test_defined_behaviour = case_tests(CASES)
