"""`vtb hour`: the monthly hour as an interactive terminal session."""
