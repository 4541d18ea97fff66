"""The local web app: everything the CLI does, in a phone-sized browser page on the holder's machine."""
