"""Push channels for residents' messages: the development console, WeChat template messages."""
