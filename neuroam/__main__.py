"""``python -m neuroam`` runs the command line."""

from neuroam.cli import main

if __name__ == "__main__":
    main()
