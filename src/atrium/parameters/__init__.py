"""System parameters: typed values (string, int, bool, JSON) administrators change at runtime,
read through a cache on every node; a domain declares which of its settings they may override.
"""
