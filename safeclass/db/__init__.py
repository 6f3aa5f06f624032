"""Storage: typed SQLAlchemy models, engine and sessions (SQLite or PostgreSQL), Alembic migrations."""
