"""Benchmarks: every hot path measured against its raw baseline in the same run.

Run ``python -m benchmarks`` (full sizes) or ``python -m benchmarks --size small``.
"""
