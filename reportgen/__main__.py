from reportgen.cli import app

app(prog_name="reportgen")
