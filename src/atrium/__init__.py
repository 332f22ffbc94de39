"""Atrium: an async Python backend foundation."""
