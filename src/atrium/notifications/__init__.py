"""Notifications and messages: stored in MongoDB, delivered live over Socket.IO."""
