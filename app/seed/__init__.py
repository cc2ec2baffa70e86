"""Demo and scale data for `flask seed`."""
