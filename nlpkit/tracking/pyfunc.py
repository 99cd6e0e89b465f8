"""Where models logged before the flavor moved to `nlpkit.tracking.flavor` find their wrapper class.

A logged model stores its `PythonModel` by import path (`nlpkit.tracking.pyfunc.NewsPyfuncModel`), so the
name stays importable for the models already in people's stores.
"""

from nlpkit.tracking.flavor import NewsPyfuncModel

__all__ = ["NewsPyfuncModel"]
