"""``plan``: a roster whose every pair can actually meet its hours.

``loop`` assigns, schedules and feeds calendar conflicts back into the assignment.
"""
