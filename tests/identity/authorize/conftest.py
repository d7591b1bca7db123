from __future__ import annotations

import pytest

from tests.conftest import Live
from tests.identity.authorize.lab import Lab, make_lab


@pytest.fixture(scope="session")
def lab(live: Live) -> Lab:
    return make_lab(live.state)
