"""Files in and out: the program folder, rosters and pins, and result folders.

One reader per file kind (``loading``: coaches, candidates, org, program.toml; ``rollover``:
next year's folder), one place that writes result folders all at once (``output``) and the
writers of each output file (``writers``: CSV, XLSX, JSON; ``calendars``: iCalendar).
Nothing here optimizes: it turns files into typed problem data and results back into files.
"""
