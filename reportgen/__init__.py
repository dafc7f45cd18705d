"""reportgen: the monthly US Small-Cap Outlook, from market data to client mail."""

__version__ = "0.1.0"
