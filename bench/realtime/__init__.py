"""Benchmark: Socket.IO delivery at 1,000 connected clients (see __main__)."""
