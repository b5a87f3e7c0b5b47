"""Every model taking a dict of sources checks it in one place
(functional._checks.check_sources): one error type and one wording for a
source left out, one the model was not built for, and a dict that is none."""
import pytest
import torch

from pyg_fusion.nn import LEGO
from pyg_fusion.nn.asym.graph import AsymGraphFusion
from pyg_fusion.nn.baselines.feature import FeatureFusion

X = torch.randn(6, 4)
MODELS = [
    lambda xs: FeatureFusion({"a": 4, "b": 4})(xs),         # was KeyError "missing source(s)"
    lambda xs: AsymGraphFusion({"a": 4, "b": 4}, 10)(xs),   # was "xs lacks sources"
    lambda xs: LEGO({"a": 4, "b": 4}, 2)(xs),
    lambda xs: LEGO({"a": 4, "b": 4}, 2, support="shared").relation_graphs(xs),
]


@pytest.mark.parametrize("call", MODELS)
def test_models_name_the_sources_one_way(call):
    with pytest.raises(ValueError, match=r"^xs must hold exactly the sources \['a', 'b'\], "
                       r"got \['a'\]; it lacks \['b'\]$"):
        call({"a": X})
    with pytest.raises(ValueError, match=r"^xs must hold exactly the sources \['a', 'b'\], "
                       r"got \['a', 'b', 'c'\]; the model was not built for \['c'\]$"):
        call({"a": X, "b": X, "c": X})
    with pytest.raises(TypeError, match=r"^xs must be a dict \{source: .*\} of the sources "
                       r"\['a', 'b'\].*, got list$"):
        call([X, X])
