"""The report's Jinja templates, stylesheet and assets. This folder ships inside the wheel as
the package ``reportgen.templates`` (see pyproject.toml), found with importlib.resources."""
