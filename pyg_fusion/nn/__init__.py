from . import asym  # noqa: F401
