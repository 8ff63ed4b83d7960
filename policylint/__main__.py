from policylint.cli import entry

entry()
