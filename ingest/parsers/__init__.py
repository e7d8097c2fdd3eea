"""One parser per source format; each turns one landing file into a staged temp table."""
