from .asym import channel_shuffle, edge_shift, pixel_shift, shift_groups, temporal_shift  # noqa: F401
