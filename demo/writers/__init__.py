"""One writer per landing format; each turns the simulated World into files as the source writes them."""
