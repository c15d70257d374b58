"""Records and helpers every layer shares: the protocol between the
supervisor and its workers, the states of a run's inputs, suggestions.
"""
