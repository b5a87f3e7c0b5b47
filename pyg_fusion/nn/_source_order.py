"""The order of a module's sources, kept in its state dict.

Where the order of the ``in_channels`` dict decides what a weight means
(AsymGraphFusion's exchange cycle and its private norms, by position;
FeatureFusion's concatenation, which the caller's next layer reads by
column) but no key names it, a model rebuilt with the dict in another order
loaded the state dict under strict mode with its weights applied to other
sources. The order travels as the module's extra state (a ``uint8``
tensor of the JSON list of names, so that code that copies a state dict's
tensors keeps working) and a different order is an error of
``load_state_dict``. State dicts saved before it was kept load as before."""
from __future__ import annotations

import json

import torch
from torch import Tensor, nn

_EXTRA = "_extra_state"  # torch.nn.Module's key of get_extra_state()


def _encode(order) -> Tensor:
    return torch.tensor(list(json.dumps(order).encode()), dtype=torch.uint8)


def _decode(state):
    if not isinstance(state, Tensor):
        return None
    if state.is_floating_point() and bool((state == state.round()).all()):
        # a state dict whose tensors were all cast to float (an average of
        # checkpoints, a model soup): the same bytes
        state = state.round().long()
    try:
        return json.loads(bytes(state.tolist()).decode())
    except (ValueError, TypeError, UnicodeDecodeError):
        return None


class SourceOrderState(nn.Module):
    """Mixin (before :class:`torch.nn.Module`) of a module whose
    ``sources`` list is ordered by its ``in_channels``; ``_order_matters``
    (default :obj:`True`) says whether this instance's weights depend on it,
    :meth:`_source_order` what is compared (JSON: a list or a dict),
    ``_order_argument`` the constructor argument whose order it is (kept as
    the list ``_order_attribute``)."""

    _order_matters = True
    _order_argument, _order_attribute = "in_channels", "sources"

    def _source_order(self):
        return list(getattr(self, self._order_attribute))

    def get_extra_state(self) -> Tensor:
        return _encode(self._source_order())

    def set_extra_state(self, state) -> None:
        pass  # checked in _load_from_state_dict, where an error can be reported

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        key = prefix + _EXTRA
        if key not in state_dict:  # saved before the order was kept
            state_dict[key] = self.get_extra_state()
        saved = _decode(state_dict[key])
        if saved is None:
            error_msgs.append(f"{key} is not a list of source names saved by "
                              f"{type(self).__name__}")
        elif self._order_matters and saved != self._source_order():
            error_msgs.append(
                f"{type(self).__name__} was saved with its sources in the order {saved} "
                f"(the order of {self._order_argument}), this one has {self._source_order()}: "
                f"its weights would apply to other sources; build it with "
                f"{self._order_argument} in the saved order")
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)
