"""Pieces shared by the HTTP/2 and HTTP/1.1 sides of hyper."""
