"""Seeing inside a running Thaw: request ids, JSON logs, Prometheus metrics, readiness, and the
checks that catch a deployment whose servers disagree (docs/DEPLOYING.md)."""
