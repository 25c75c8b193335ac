"""A small HTTP/2 client for gRPC calls (see connection.py)."""
