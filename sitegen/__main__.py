"""`python -m sitegen`: the same as the `sitegen` command."""

from sitegen.cli import main

if __name__ == "__main__":  # worker processes import this module again; they must not run it
    raise SystemExit(main())
