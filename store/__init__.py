"""Storage: SQLAlchemy models, engine, migrations and named read queries."""
