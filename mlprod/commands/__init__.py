"""Click commands, one module per command or group. Each stays thin: parse, call, print."""
