"""cd-doctor: why did this AWS CodeDeploy deployment fail, and is production still safe."""

__version__ = "0.1.0"
TOOL_NAME = "cd-doctor"
