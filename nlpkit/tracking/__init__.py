"""Everything MLflow: runs and artifacts, the registry, the pyfunc wrapper, the UI and team server."""
