"""The HTTP/1.1 side of hyper."""
