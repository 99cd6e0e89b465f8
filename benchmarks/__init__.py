"""nlpkit's benchmarks: each module measures one thing and returns a `Report`; `python -m benchmarks NAME` runs one.

Run from the repository root, so this checkout's `nlpkit` and `benchmarks` are the ones imported.
"""
