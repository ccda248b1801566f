"""Rendering of results: figures, reports and dashboards."""
