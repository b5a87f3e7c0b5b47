"""--standardize with a tables or digits run said only which datasets it
applies to, not that these runs z-score their features anyway."""
import pytest

from pyg_fusion.experiments.data import DataConfig, check_dataset_flags


@pytest.mark.parametrize("dataset", ["tables", "digits"])
def test_standardize_of_a_node_dataset_says_its_features_are_z_scored(dataset):
    with pytest.raises(ValueError, match=(
            rf"^--standardize applies to --dataset synthetic-vad / motion-vad / vad, not to "
            rf"{dataset}: {dataset} runs always z-score every feature column over all rows "
            rf"\(leave --standardize out\)$")):
        check_dataset_flags(DataConfig(dataset=dataset, standardize=True))
    # another flag's message is unchanged
    with pytest.raises(ValueError, match=rf"--num-segments applies to .*, not to {dataset}$"):
        check_dataset_flags(DataConfig(dataset=dataset, num_segments=8))
