"""--standardize with a tables or digits run said only which datasets it
applies to, not that these runs z-score their features anyway; since s35
their records say standardize: true, which reads back, and --no-standardize,
which they cannot honour, is refused."""
import pytest

from pyg_fusion.experiments.data import DataConfig, check_dataset_flags


@pytest.mark.parametrize("dataset", ["tables", "digits"])
def test_standardize_of_a_node_dataset_says_its_features_are_z_scored(dataset):
    with pytest.raises(ValueError, match=(
            rf"^--no-standardize: --dataset {dataset} always z-scores every feature column "
            rf"over all rows \(transductive, no labels\); leave --no-standardize out$")):
        check_dataset_flags(DataConfig(dataset=dataset, standardize=False))
    check_dataset_flags(DataConfig(dataset=dataset, standardize=True))  # what it does
    # another flag's message is unchanged
    with pytest.raises(ValueError, match=rf"--num-segments applies to .*, not to {dataset}$"):
        check_dataset_flags(DataConfig(dataset=dataset, num_segments=8))
