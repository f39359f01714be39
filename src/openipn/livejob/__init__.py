"""`openipn run`: the platform and the twin of its stored network, supervised as one job."""
