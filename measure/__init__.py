"""Tools that measure the bot (evaluation, benchmark, load), run by make eval / make bench; not tests."""
