"""The HTTP/2 side of hyper."""
