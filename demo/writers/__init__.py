"""One writer per landing format: the simulated World as each source writes its files."""
