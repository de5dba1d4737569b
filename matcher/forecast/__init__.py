"""Questions a planner asks before the year: what if the program changed, how many coaches.

``whatif`` runs scenario files against a base program; ``capacity`` finds the fewest added
coach places by region and role that let everyone be assigned.
"""
