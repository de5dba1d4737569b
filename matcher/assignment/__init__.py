"""The roster: candidates to coaches, optimal under the program's rules.

``optimize`` translates eligible pairs into the solvers' plain data, solves (flow, CP-SAT,
same-site) by component and translates the solution back into roster rows with reasons;
``reassign`` re-matches during the year, keeping every still-eligible pair.
"""
