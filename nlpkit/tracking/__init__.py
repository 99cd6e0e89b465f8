"""Everything MLflow, one module per concern; tracking records what the evaluators measured, it computes nothing.

`store` (`Tracker(uri)`: where runs go), `runs` (what a run holds), `flavor` (the pyfunc model: log, load,
wrapper), `registry` (challenger and champion), `views` (ranked runs tables in the UI), `training` and
`evaluation` (recording a training or an evaluation), `sweep`, `pictures`, `health` (store checks),
`processes` (one way to start, wait for and stop servers), `ui` and `server` (the local UI, the team server).
"""
