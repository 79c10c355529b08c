"""How people speak to Podium: the one table of commands, its grammar, help, and the gateway to the core."""
