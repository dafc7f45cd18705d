"""The report model to HTML and PDF: typed template context, narrative, commentary."""
