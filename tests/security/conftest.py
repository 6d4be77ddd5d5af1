"""Fixtures of the security suite: the demo district, loaded once for the whole package."""

import pytest

from tests.security.world import load_world, media_root

world = pytest.fixture(scope="package")(load_world)
_media_root = pytest.fixture(media_root)
