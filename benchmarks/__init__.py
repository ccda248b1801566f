"""townsim performance harness (issue 7): ``python -m benchmarks [--quick]``; see benchmarks/README.md."""
