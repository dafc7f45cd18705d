"""Charts in the house style, drawn from plain series and tables."""
