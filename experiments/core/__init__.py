"""The one experiment pipeline: designs, execution, executors, store, manifest, atomic writes, output folders."""
