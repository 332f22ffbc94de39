"""Dictionaries: the value lists behind a frontend's drop-downs and tags (user status, schedule
kinds, to-do status, ...), edited by admins at runtime, read by every frontend through a cache.
"""
