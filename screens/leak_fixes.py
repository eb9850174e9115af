"""Letting go of closed screens, where Textual 8 holds on to them (Textualize/textual#6665).

Textual's ``StylesCache.get_inner_outer`` is an instance method under
``functools.lru_cache(1024)``, so the cache keeps the last 1,024 widgets'
style caches alive, each with every line that widget drew. A desk opens and
closes a screen of ten or so widgets per record or call: after thirty records
190,000 objects were still alive, and every full garbage collection had to
sweep them (120-155 ms pauses, measured on the bench). The cache only saves
making two ``Style`` objects, so emptying it when the screen changes costs
nothing a co-ordinator could see.
"""

from __future__ import annotations

from textual._styles_cache import StylesCache


def release_closed_widgets() -> None:
    """Forget the style caches of widgets that may have closed (call when the screen changes)."""
    cache_clear = getattr(StylesCache.get_inner_outer, "cache_clear", None)
    if cache_clear is not None:  # a Textual that fixed #6665 may no longer cache here
        cache_clear()
