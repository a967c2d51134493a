"""Pure values and rules: the model, cadences, the hour plan, settings, naming, errors.

Nothing here reads a file or the clock; every other layer builds on it.
"""
