"""AsymFusionTranslator(num_downs=2, ratio=0.1) was refused as "ratio=0.1: not
read with fusion_levels=[]", an argument the caller did not give: with
num_downs=2 the default fusion levels (1 .. L-2) are empty. The refusal now
names num_downs; a fusion_levels=[] given is still named as given."""
import pytest

from pyg_fusion.nn.asym import AsymFusionTranslator


def test_empty_default_levels_name_num_downs():
    with pytest.raises(ValueError, match=r"^ratio=0\.1: not read with num_downs=2 \(whose "
                                         r"default fusion_levels are empty\), where no block"):
        AsymFusionTranslator(in_channels=1, ngf=4, num_downs=2, ratio=0.1)
    with pytest.raises(ValueError, match=r"^ratio=0\.1: not read with fusion_levels=\[\],"):
        AsymFusionTranslator(in_channels=1, ngf=4, num_downs=3, fusion_levels=[], ratio=0.1)
    assert AsymFusionTranslator(in_channels=1, ngf=4, num_downs=2).fusion_levels == []
