from .checks import EXERCISE  # noqa: F401
