"""A year of coaching sessions for a roster: one calendar problem per coach.

``sessions`` translates each coach's pairs (common windows, months, blackouts, travel) into
``solvers.scheduling`` problems, solves them in parallel and turns the result into session rows
and short pair-months with their causes.
"""
