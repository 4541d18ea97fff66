"""cardguard: is this card email genuine, whom do I call and are they open now, and where is my old card stored."""

__version__ = "0.1.0"
