"""Workflows: what a command does from start to end, over the database and the libraries below.

Each module is one workflow (build, publish, …): it calls the pure/thin-I/O libraries (render,
youtube, report, …) and records what happened in the database, one transaction per logical write.
"""
