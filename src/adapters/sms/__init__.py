"""SMS adapters: the console log for development and tests, real providers beside it."""
