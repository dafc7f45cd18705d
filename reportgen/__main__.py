"""``reportgen`` (the installed command) and ``python -m reportgen``.

The command line is imported only when the command runs: a helper process imports its
program's main module before it starts work (multiprocessing's rule), and a helper that
draws charts needs none of the command line."""


def main() -> None:
    from reportgen.cli import app

    app(prog_name="reportgen")


if __name__ == "__main__":
    main()
