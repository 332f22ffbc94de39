"""Roles, route-derived permissions, menus, the permission check and its cache."""
