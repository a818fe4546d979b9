"""A GIN index for the forum search on PostgreSQL; nothing on SQLite.

Its expression is exactly the one forum.selectors.post_search matches on
(``to_tsvector('norwegian'::regconfig, body)``): PostgreSQL uses an expression index only
for the same expression. SQLite has no GIN and searches with LIKE, so there the migration
does nothing (RunPython, because RunSQL would run the PostgreSQL statement everywhere).
"""

from django.db import migrations

INDEX = "forum_post_body_search"
CREATE = (
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON forum_post "
    "USING GIN (to_tsvector('norwegian'::regconfig, body))"
)
DROP = f"DROP INDEX IF EXISTS {INDEX}"


def _on_postgres(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("forum", "0003_moderation_queue_and_rules_page")]
    operations = [migrations.RunPython(_on_postgres(CREATE), _on_postgres(DROP))]
