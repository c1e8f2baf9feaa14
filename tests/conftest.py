import os

import numpy as np
import pytest

GOLDEN = os.path.join(os.path.dirname(__file__), "golden")
ROOT = os.path.dirname(os.path.dirname(__file__))


@pytest.fixture(autouse=True)
def _seeded():
    """Every test starts from fixed random states."""
    import mxnet as mx

    np.random.seed(0)
    mx.random.seed(0)
    yield
