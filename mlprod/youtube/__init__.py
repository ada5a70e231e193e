"""Everything that talks to the YouTube APIs (or to the local sandbox)."""
