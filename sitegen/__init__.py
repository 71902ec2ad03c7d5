"""sitegen: a static blog generator that turns tagged Markdown posts into a complete site."""

__version__ = "0.1.0"
