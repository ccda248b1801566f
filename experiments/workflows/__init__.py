"""Workflows: each builds a Design, runs it with core.execute and writes its own outputs."""
