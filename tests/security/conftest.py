"""Fixtures of the security suite: the demo district loaded once per module."""

import pytest

from tests.security.world import load_world, media_root

world = pytest.fixture(scope="module")(load_world)
_media_root = pytest.fixture(media_root)
