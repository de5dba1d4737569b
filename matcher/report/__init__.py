"""What a coordinator reads: the terminal summary (``text``) and one offline HTML page
(``html``, with matplotlib charts from ``charts`` and Jinja2 templates in ``templates/``)."""
