"""SQLAlchemy repositories, one module per bounded context."""
