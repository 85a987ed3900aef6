"""The look-ups: synchronous catalogue and search endpoints, answered at once (no job).

``_catalogues`` holds the account's lists (templates, brands, voices, avatars, styles,
smart layouts), ``_search`` the stock media and music searches, ``_parse`` the reading
of a look-up's answer, whatever shape wraps its list.
"""

from __future__ import annotations

from ._catalogues import Avatars, Brands, SmartLayouts, Styles, Templates, Voices
from ._search import Media, Music

__all__ = [
    "Avatars",
    "Brands",
    "Media",
    "Music",
    "SmartLayouts",
    "Styles",
    "Templates",
    "Voices",
]
