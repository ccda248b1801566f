"""The model's declared behaviour version, part of the behaviour fingerprint of stored results."""

BEHAVIOUR_VERSION = 1
"""Bump when the model's behaviour changes in a way the behaviour probe's cases cannot see (a
mechanism none of them reaches): stored runs, posteriors and findings then count as stale. A
change the probe sees needs no bump; a refactor or a lever off by default needs none."""
