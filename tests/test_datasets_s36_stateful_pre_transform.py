"""A pre_transform that changes as it runs (a count of its calls, statistics
fitted on its first graph) named the processed file after its state at the
end of processing, which no later run starts in: every run of
MultiFeatureDigits / MultiViewTables processed the data again."""
from pyg_fusion.datasets import MultiFeatureDigits, SyntheticVAD


class Count:
    def __init__(self):
        self.calls = 0

    def __call__(self, data):
        self.calls += 1
        return data


def test_a_pre_transform_with_state_names_the_cache_as_it_was_given(tmp_path):
    first, second = Count(), Count()
    MultiFeatureDigits(str(tmp_path / "d"), views=["mor"], pre_transform=first, log=False)
    MultiFeatureDigits(str(tmp_path / "d"), views=["mor"], pre_transform=second, log=False)
    assert (first.calls, second.calls) == (1, 0)
    kw = dict(num_videos=(2, 2), snippets=(8, 9), num_segments=4, log=False)
    first, second = Count(), Count()
    SyntheticVAD(str(tmp_path / "v"), "train", pre_transform=first, **kw)
    SyntheticVAD(str(tmp_path / "v"), "train", pre_transform=second, **kw)
    assert (first.calls, second.calls) == (2, 0)
