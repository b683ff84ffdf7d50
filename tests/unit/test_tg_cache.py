"""The bounded LRU cache that lets repeated questions skip matching and rendering."""

from __future__ import annotations

from bot.tg.memory import LruCache


def test_keeps_at_most_maxsize_entries() -> None:
    """Past its size the cache forgets the least recently used entry."""
    cache: LruCache[str, int] = LruCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("c", 3)
    assert len(cache) == 2
    assert cache.get("a") is None
    assert cache.get("c") == 3


def test_reading_refreshes_an_entry() -> None:
    """A recently read entry survives a later insertion; the untouched one goes."""
    cache: LruCache[str, int] = LruCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)
    assert cache.get("a") == 1
    assert cache.get("b") is None


def test_overwrite_keeps_one_entry() -> None:
    """Putting the same key twice stores the newest value once."""
    cache: LruCache[str, int] = LruCache(2)
    cache.put("a", 1)
    cache.put("a", 5)
    assert len(cache) == 1
    assert cache.get("a") == 5
