"""Where a card is stored, read from its statements: statement CSV layouts of Japanese issuers
(layouts.toml), parsing a statement file into charges (parse.py), finding the charges that recur
(recurrence.py), and keeping imported charges and the proposals they yield (ledger.py).

parse and recurrence are pure (bytes and values in, values out); ledger is the only part that
touches the database, and it adds services only through the wallet's own core."""
