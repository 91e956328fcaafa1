"""`python -m probandi`: the same command line as `probandi`."""

from probandi.entrypoints.cli.main import app

if __name__ == "__main__":
    app()
