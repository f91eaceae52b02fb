"""One module per CLI command. Each defines ``command`` with typer-annotated arguments."""
