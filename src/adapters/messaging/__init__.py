"""Push channels for residents' messages: the development console (WeChat and SMS to come)."""
