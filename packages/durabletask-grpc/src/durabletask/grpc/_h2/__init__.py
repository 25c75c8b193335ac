"""The worker's own gRPC client: HTTP/2 (RFC 9113) with HPACK (RFC 7541) on a plain socket.

* :mod:`~durabletask.grpc._h2.frames`: the frame layout and how frames are written;
* :mod:`~durabletask.grpc._h2.hpack` and :mod:`~durabletask.grpc._h2.huffman`: header compression;
* :mod:`~durabletask.grpc._h2.connection`: one connection, its reader thread and flow control;
* :mod:`~durabletask.grpc._h2.channel`: the grpcio-like channel the generated stub calls.

Why the worker has its own client, and when it uses grpcio instead, is in ``channel.py``.
"""
