"""Workflows: design builders and their own outputs (compare, sweep, sensitivity, discover, validate, calibrate)."""
