import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    """The report pages keep counted figures in the cache; every test here
    starts and ends without them."""
    cache.clear()
    yield
    cache.clear()
