from . import baselines  # noqa: F401
