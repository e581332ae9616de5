"""Everything that talks to AWS: the client seam, the collectors and AWS error translation."""
