"""Experiments on the township model: runs, executors, results store, compare, sweep, sensitivity, reports, CLI."""
