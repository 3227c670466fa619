"""newsdown's command line: Typer app, inputs, outputs, reporting and exit codes."""
