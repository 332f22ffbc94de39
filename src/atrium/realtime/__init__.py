"""Realtime: the Socket.IO server, connect auth, rooms, presence, revocation, emitters."""
